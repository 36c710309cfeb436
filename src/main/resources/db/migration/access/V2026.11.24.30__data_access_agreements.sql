-- Data-access agreements (Danish: Tilslutning): which personal data a supplier may receive for a product
-- at an organiser or a school unit, filed as a request and decided by a school administrator.

create table data_access_agreement (
    id                   uuid primary key,
    supplier_id          uuid not null,
    product_id           uuid not null,
    -- an organiser (covers all its units) or one school unit
    scope_id             uuid not null,
    package              text not null check (package in ('MINIMAL', 'SMALL', 'MEDIUM', 'LARGE', 'PUBLIC_AUTHORITY')),
    requested_attributes text[] not null,
    -- what was approved: never wider than requested (and so never wider than package and declaration)
    approved_attributes  text[],
    purpose              text not null,
    legal_basis          text not null,
    retention_days       integer not null check (retention_days >= 0),
    state                text not null check (state in ('REQUESTED', 'APPROVED', 'DECLINED', 'REVOKED', 'SUPERSEDED')),
    filed_by             text not null,
    filed_at             timestamptz not null default now(),
    updated_at           timestamptz not null default now()
);
-- at most one agreement in force per product and scope: the release policy must never have to choose
create unique index data_access_agreement_in_force on data_access_agreement (product_id, scope_id) where state = 'APPROVED';
create index data_access_agreement_state on data_access_agreement (state, filed_at desc);
create index data_access_agreement_supplier on data_access_agreement (supplier_id);

-- Every step of an agreement: who, when, why. Never updated.
create table data_access_step (
    agreement_id uuid not null references data_access_agreement (id),
    step_no      integer not null,
    kind         text not null check (kind in ('FILED', 'APPROVED', 'NARROWED', 'DECLINED', 'REVOKED', 'SUPERSEDED')),
    actor        text not null,
    at           timestamptz not null default now(),
    reason       text,
    attributes   text[],
    primary key (agreement_id, step_no)
);

-- Suppliers that are public authorities (myndigheter / offentlige myndigheder): only they may be
-- given the PUBLIC_AUTHORITY package, and only towards them does a protected person's data go beyond MINIMAL.
create table public_authority_recipient (
    supplier_id uuid primary key,
    recorded_by text not null,
    recorded_at timestamptz not null default now(),
    reason      text not null
);

-- An objection (opt-out) recorded for a person: towards one supplier, or every supplier when supplier_id is null.
create table release_objection (
    id           uuid primary key,
    person_id    uuid not null,
    supplier_id  uuid,
    recorded_by  text not null,
    recorded_at  timestamptz not null default now(),
    reason       text not null,
    withdrawn_at timestamptz,
    withdrawn_by text
);
create index release_objection_person on release_objection (person_id) where withdrawn_at is null;

-- The key of pairwise pseudonymous ids: HMAC-SHA256(key, supplier id || person id). Generated once, by
-- the application with a SecureRandom, on first use.
create table pseudonym_key (
    id         integer primary key check (id = 1),
    secret     bytea not null check (length(secret) >= 32),
    created_at timestamptz not null default now()
);

-- Credentials a supplier's system uses on the supplier API (HTTP Basic; the secret is shown once, kept as a bcrypt hash).
create table supplier_api_client (
    client_id   text primary key,
    supplier_id uuid not null,
    secret_hash text not null,
    enabled     boolean not null default true,
    created_by  text not null,
    created_at  timestamptz not null default now()
);
