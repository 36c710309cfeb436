-- SAML 2.0: Tilldela as identity provider towards suppliers' service providers (Skolfederation speaks SAML only).

-- A supplier's service provider, registered by an administrator from its metadata and bound to one product (the
-- licence check and the release policy ask by product). Everything about it is taken from the metadata as it
-- was registered, never typed by hand: its entityID, where assertions go (HTTP-POST AssertionConsumerService
-- locations, the default one first) and its certificates (DER, base64).
create table sso_saml_sp (
    entity_id             text        primary key,
    product_id            uuid        not null references product (id),
    metadata              text        not null,
    acs_urls              text[]      not null,
    signing_certificates  text[]      not null default '{}',
    encryption_certificates text[]    not null default '{}',
    -- the metadata says the SP signs its AuthnRequests (AuthnRequestsSigned): an unsigned or wrongly signed one is refused
    authn_requests_signed boolean     not null,
    metadata_url          text,
    registered_by         text        not null,
    registered_at         timestamptz not null default now()
);
create index sso_saml_sp_product on sso_saml_sp (product_id);

-- The identity provider's signing key and its self-signed certificate (published in the IdP metadata). The private
-- key is encrypted (AES-256-GCM) with the key that also encrypts the OpenID provider's keys, which is not in the
-- database. The newest row signs.
create table sso_saml_signing_key (
    id          uuid        primary key,
    certificate bytea       not null,
    private_key bytea       not null,
    created_at  timestamptz not null default now()
);

-- AuthnRequest ids already answered, per SP, until the request could no longer be fresh: one presented again is a replay.
create table sso_saml_request_seen (
    sp_entity_id text        not null,
    request_id   text        not null,
    expires_at   timestamptz not null,
    primary key (sp_entity_id, request_id)
);
create index sso_saml_request_seen_expires on sso_saml_request_seen (expires_at);

-- A validated AuthnRequest (or an IdP-initiated sign-in) waiting for the person to sign in: the browser carries only a
-- random key, kept here as its SHA-256, so any node continues it and nothing needs a session before sign-in.
create table sso_saml_pending (
    key_hash       text        primary key,
    sp_entity_id   text        not null references sso_saml_sp (entity_id) on delete cascade,
    acs_url        text        not null,
    in_response_to text,
    relay_state    text,
    expires_at     timestamptz not null
);
create index sso_saml_pending_expires on sso_saml_pending (expires_at);

-- Which persons have seen the first-use notice of which SP (the OpenID side keeps the same in its consent records).
create table sso_saml_notice_seen (
    sp_entity_id text        not null references sso_saml_sp (entity_id) on delete cascade,
    person_id    uuid        not null,
    seen_at      timestamptz not null default now(),
    primary key (sp_entity_id, person_id)
);

-- The scope of an organiser's eduPersonPrincipalName and eduPersonScopedAffiliation (its domain, e.g. "exempel.se").
-- An organiser without one is scoped by the identity provider's own host name.
create table sso_saml_organiser_scope (
    organiser_id uuid primary key,
    scope        text not null,
    set_by       text not null,
    set_at       timestamptz not null default now()
);
