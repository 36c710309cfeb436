-- Upstream federation: a municipality (an organiser in the directory) with its own OpenID provider lets its
-- pupils and staff sign in through it. Each row is one organiser's provider: where it is (its issuer, found by
-- discovery), the client Tilldela is there, and how a signed-in user is matched to one directory person.
--
-- No foreign key to organisation: an import that removed the organiser must not fail on it, and a provider
-- whose organiser is gone simply shows no button (every lookup joins the organisation).
create table sso_upstream_provider (
    id               uuid        primary key,
    organiser_id     uuid        not null unique,
    issuer           text        not null,
    client_id        text        not null,
    -- AES-256-GCM under the key that also encrypts the signing keys (tilldela.sso.key-encryption-key or the data
    -- directory's secrets/sso-key-encryption.key), never in plain text; the API never returns it
    client_secret    bytea       not null,
    scopes           text        not null,
    -- which claim of the upstream ID token (or userinfo) names the person, and which directory field it must equal
    match_claim      text        not null,
    match_field      text        not null check (match_field in ('EMAIL', 'USERNAME', 'SOURCE_ID', 'CIVIC_NUMBER')),
    enabled          boolean     not null default true,
    registered_by    text        not null,
    registered_at    timestamptz not null default now(),
    updated_by       text,
    updated_at       timestamptz
);

-- Sign-ins on their way through an upstream provider (OAuth2AuthorizationRequest: state, nonce, PKCE verifier),
-- for at most a few minutes. The browser holds only a random key in a cookie; stored here as its SHA-256, with the
-- request encrypted like the client secret. So nothing needs a session before sign-in, and any node finishes a
-- sign-in another began.
create table sso_upstream_sign_in (
    key_hash    text        primary key,
    state       text        not null,
    request     bytea       not null,
    expires_at  timestamptz not null
);
create index sso_upstream_sign_in_expires on sso_upstream_sign_in (expires_at);

-- A morning rush of upstream sign-ins looks persons up by these (OrganiserPersons.matching): without them each
-- sign-in would scan every person. Secondary indexes, so a first big import still defers them.
create index person_email_lower on person (lower(email)) where email is not null;
create index person_username_lower on person (lower(username)) where username is not null;
create index person_source_id on person (source_id);
