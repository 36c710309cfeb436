-- The EGIL profile (the Swedish SCIM profile of SS 12000:2018, Föreningen Sambruk's EGIL client and Windermere
-- server), next to plain SCIM core: a connector of profile EGIL sends SchoolUnits, Students and Teachers (Users
-- with the sis:school User extension), Employments and StudentGroups instead of core Users and Groups.
-- A connector's profile never changes: what the supplier holds was made under it.
alter table provisioning_connector add column profile text not null default 'SCIM_CORE' check (profile in ('SCIM_CORE', 'EGIL'));

-- Mutual TLS: the supplier knows Tilldela by a client certificate (as EGIL suppliers do, via Skolfederation).
-- Certificate and private key (PEM) are encrypted like the other secrets (platform.SecretsAtRest); the CA that
-- signed the supplier's server certificate may be given (PEM, public) when it is not one the JDK trusts.
alter table provisioning_connector drop constraint provisioning_connector_auth_kind_check;
alter table provisioning_connector add constraint provisioning_connector_auth_kind_check
    check (auth_kind in ('BEARER', 'OAUTH_CLIENT_CREDENTIALS', 'MUTUAL_TLS'));
alter table provisioning_connector add column client_certificate bytea;
alter table provisioning_connector add column client_key bytea;
alter table provisioning_connector add column server_ca text;
alter table provisioning_connector add constraint provisioning_connector_mtls
    check (auth_kind <> 'MUTUAL_TLS' or (client_certificate is not null and client_key is not null));

-- The EGIL objects a supplier holds for a connector besides the users (provisioned_account): a SchoolUnit,
-- Employment or StudentGroup under our UUID (its externalId, which EGIL servers also use as its id), the id the
-- supplier answered, and a fingerprint (SHA-256) of what was last sent, so an unchanged object is not sent again.
create table provisioned_egil_object (
    connector_id uuid not null references provisioning_connector (id) on delete cascade,
    kind         text not null check (kind in ('SchoolUnit', 'Employment', 'StudentGroup')),
    external_id  uuid not null,
    scim_id      text not null,
    fingerprint  text not null,
    updated_at   timestamptz not null default now(),
    primary key (connector_id, kind, external_id)
);

-- Which of the connector's licence holders keep an EGIL object there: a school unit while a holder is enrolled or
-- employed at it (or is in a group it owns), an employment its teacher, a student group its student members.
-- An object none of them keeps any more is deleted at the supplier, after everything else of the operation.
create table provisioned_egil_link (
    connector_id uuid not null,
    kind         text not null,
    external_id  uuid not null,
    person_id    uuid not null,
    primary key (connector_id, kind, external_id, person_id),
    foreign key (connector_id, kind, external_id) references provisioned_egil_object (connector_id, kind, external_id) on delete cascade
        -- a group's first member is linked before the supplier has answered with the group's id
        deferrable initially deferred
);
create index provisioned_egil_link_person on provisioned_egil_link (connector_id, person_id);
