-- Provisioning: SCIM 2.0 push to suppliers. A connector per supplier (serving named products), an outbox of
-- operations per connector and person, and what each supplier holds of ours (the SCIM id it gave an account).

create table provisioning_connector (
    id                 uuid primary key,
    supplier_id        uuid not null references supplier (id),
    name               text not null,
    -- the SCIM service provider's base URL, e.g. https://scim.supplier.example/scim/v2 (Users are under it)
    base_url           text not null,
    auth_kind          text not null check (auth_kind in ('BEARER', 'OAUTH_CLIENT_CREDENTIALS')),
    -- secrets encrypted with AES-256-GCM under a key kept outside the database (platform.SecretsAtRest)
    bearer_token       bytea,
    token_url          text,
    client_id          text,
    client_secret      bytea,
    resource_types     text[] not null default '{User}',
    enabled            boolean not null default true,
    -- a supplier that answered 429/503 with Retry-After (or kept failing) is left alone until then; others go on
    backoff_until      timestamptz,
    last_success_at    timestamptz,
    last_error         text,
    last_error_at      timestamptz,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now(),
    check (auth_kind <> 'BEARER' or bearer_token is not null),
    check (auth_kind <> 'OAUTH_CLIENT_CREDENTIALS' or (token_url is not null and client_id is not null and client_secret is not null))
);

-- the products whose licence holders a connector sends
create table provisioning_connector_product (
    connector_id uuid not null references provisioning_connector (id) on delete cascade,
    product_id   uuid not null references product (id),
    primary key (connector_id, product_id)
);
create index provisioning_connector_product_product on provisioning_connector_product (product_id);

-- The outbox. SYNC brings the supplier's account in line with what the release policy lets go today (create,
-- update, or deactivate when nothing may go any more); DEACTIVATE sets active=false (a leaver).
create table provisioning_operation (
    id           bigint generated always as identity primary key,
    connector_id uuid not null references provisioning_connector (id) on delete cascade,
    person_id    uuid not null,
    kind         text not null check (kind in ('SYNC', 'DEACTIVATE')),
    cause        text not null,
    state        text not null default 'PENDING' check (state in ('PENDING', 'IN_FLIGHT', 'DONE', 'DEAD')),
    attempts     int not null default 0,
    not_before   timestamptz not null default now(),
    -- a claimed operation whose worker died is claimed again after this
    lease_until  timestamptz,
    last_error   text,
    created_at   timestamptz not null default now(),
    finished_at  timestamptz
);
create index provisioning_operation_open on provisioning_operation (connector_id, id) where state in ('PENDING', 'IN_FLIGHT');
create index provisioning_operation_person on provisioning_operation (connector_id, person_id, id) where state in ('PENDING', 'IN_FLIGHT');
create index provisioning_operation_dead on provisioning_operation (connector_id, id) where state = 'DEAD';
create index provisioning_operation_done on provisioning_operation (finished_at) where state = 'DONE';

-- The account a supplier keeps for a person: the SCIM id it assigned and the externalId we gave (the pairwise pseudonym).
create table provisioned_account (
    connector_id uuid not null references provisioning_connector (id) on delete cascade,
    person_id    uuid not null,
    scim_id      text not null,
    external_id  text not null,
    active       boolean not null,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    primary key (connector_id, person_id)
);
