-- Upstream SAML: a municipality whose identity provider speaks SAML 2.0 only (ADFS, Shibboleth, an Entra ID enterprise
-- app) signs its pupils and staff in through it, Tilldela being the service provider. One per organiser, as for the
-- OpenID providers (sso_upstream_provider). Everything about the IdP comes from the metadata it was registered from,
-- never typed by hand: its entityID, its HTTP-Redirect SingleSignOnService and its signing certificates (DER, base64).
--
-- No foreign key to organisation, as for sso_upstream_provider: an import that removed the organiser must not fail on
-- it, and an IdP whose organiser is gone simply shows no button (every lookup joins the organisation).
create table sso_upstream_saml_idp (
    id                   uuid        primary key,
    organiser_id         uuid        not null unique,
    entity_id            text        not null,
    sso_url              text        not null,
    signing_certificates text[]      not null,
    metadata             text        not null,
    metadata_url         text,
    -- which attribute of the assertion (by its Name, e.g. urn:oid:0.9.2342.19200300.100.1.3 or a claim URI of ADFS)
    -- names the person, and which directory field it must equal for exactly one person of the organiser
    match_attribute      text        not null,
    match_field          text        not null check (match_field in ('EMAIL', 'USERNAME', 'SOURCE_ID', 'CIVIC_NUMBER')),
    enabled              boolean     not null default true,
    registered_by        text        not null,
    registered_at        timestamptz not null default now(),
    updated_by           text,
    updated_at           timestamptz
);

-- Replay protection: the ID of every assertion that signed somebody in (or was refused after its signature checked),
-- until it expires. In the database, not in a node's memory, so an assertion used at one node is refused at another.
create table sso_upstream_saml_assertion (
    idp_id       uuid        not null,
    assertion_id text        not null,
    expires_at   timestamptz not null,
    primary key (idp_id, assertion_id)
);
create index sso_upstream_saml_assertion_expires on sso_upstream_saml_assertion (expires_at);
