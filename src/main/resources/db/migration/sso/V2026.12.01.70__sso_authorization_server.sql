-- Single sign-on: the OpenID Connect provider's state, all in PostgreSQL so that every node serves every
-- user (a code issued by one node is redeemed at another, a refresh token rotates anywhere).
--
-- The three oauth2_* tables are Spring Security's authorization server schema (its
-- oauth2-registered-client-schema.sql, oauth2-authorization-schema.sql and consent schema), adapted to
-- PostgreSQL as that file says: blob → text, timestamp → timestamptz.

create table oauth2_registered_client (
    id                            varchar(100)  not null primary key,
    client_id                     varchar(100)  not null unique,
    client_id_issued_at           timestamptz   not null default current_timestamp,
    client_secret                 varchar(200),
    client_secret_expires_at      timestamptz,
    client_name                   varchar(200)  not null,
    client_authentication_methods varchar(1000) not null,
    authorization_grant_types     varchar(1000) not null,
    redirect_uris                 varchar(1000),
    post_logout_redirect_uris     varchar(1000),
    scopes                        varchar(1000) not null,
    client_settings               varchar(2000) not null,
    token_settings                varchar(2000) not null
);

create table oauth2_authorization (
    id                            varchar(100) not null primary key,
    registered_client_id          varchar(100) not null,
    principal_name                varchar(200) not null,
    authorization_grant_type      varchar(100) not null,
    authorized_scopes             varchar(1000),
    attributes                    text,
    state                         varchar(500),
    authorization_code_value      text,
    authorization_code_issued_at  timestamptz,
    authorization_code_expires_at timestamptz,
    authorization_code_metadata   text,
    access_token_value            text,
    access_token_issued_at        timestamptz,
    access_token_expires_at       timestamptz,
    access_token_metadata         text,
    access_token_type             varchar(100),
    access_token_scopes           varchar(1000),
    oidc_id_token_value           text,
    oidc_id_token_issued_at       timestamptz,
    oidc_id_token_expires_at      timestamptz,
    oidc_id_token_metadata        text,
    refresh_token_value           text,
    refresh_token_issued_at       timestamptz,
    refresh_token_expires_at      timestamptz,
    refresh_token_metadata        text,
    user_code_value               text,
    user_code_issued_at           timestamptz,
    user_code_expires_at          timestamptz,
    user_code_metadata            text,
    device_code_value             text,
    device_code_issued_at         timestamptz,
    device_code_expires_at        timestamptz,
    device_code_metadata          text
);
-- the authorization server looks authorizations up by each kind of token and by state (hash indexes:
-- equality only, and a signed token can be longer than a B-tree entry may be)
create index oauth2_authorization_state on oauth2_authorization using hash (state);
create index oauth2_authorization_code on oauth2_authorization using hash (authorization_code_value);
create index oauth2_authorization_access on oauth2_authorization using hash (access_token_value);
create index oauth2_authorization_refresh on oauth2_authorization using hash (refresh_token_value);
create index oauth2_authorization_id_token on oauth2_authorization using hash (oidc_id_token_value);

create table oauth2_authorization_consent (
    registered_client_id varchar(100)  not null,
    principal_name       varchar(200)  not null,
    authorities          varchar(1000) not null,
    primary key (registered_client_id, principal_name)
);

-- The provider's signing keys. Private parts are encrypted (AES-GCM) with a key that is not in the
-- database (configuration or a file under the data directory), so a copy of the database alone cannot
-- sign tokens. The newest active key signs; older keys stay published in the JWKS until every token
-- they signed has expired (retire_after), then they are removed from it.
create table sso_signing_key (
    kid           text        primary key,
    algorithm     text        not null,
    public_jwk    text        not null,
    private_jwk   bytea       not null,
    created_at    timestamptz not null default now(),
    superseded_at timestamptz,
    retire_after  timestamptz
);

-- Which product each sign-in client belongs to: the licence check and the release policy ask by product.
create table sso_client (
    client_id     varchar(100) primary key references oauth2_registered_client (client_id) on delete cascade,
    product_id    uuid        not null references product (id),
    confidential  boolean     not null,
    -- where the product starts a sign-in itself (OpenID Connect Core §4, third-party initiated login): the
    -- start page's tile links there, with iss, so one click opens the product signed in
    initiate_login_uri text,
    registered_by text        not null,
    registered_at timestamptz not null default now()
);
create index sso_client_product on sso_client (product_id);

-- Local accounts of directory persons (pupils and staff of schools without an identity provider of their
-- own, and the demo). Passwords are Argon2id hashes. A person never gets an administrator's rights by
-- signing in here: these accounts only open products.
create table sso_person_account (
    person_id       uuid        primary key references person (id) on delete cascade on update cascade,
    username        text        not null unique,
    password_hash   text        not null,
    enabled         boolean     not null default true,
    password_set_at timestamptz not null default now(),
    password_set_by text        not null
);

-- Refresh tokens already rotated away, as SHA-256 hashes: one presented again revokes its whole family.
create table sso_spent_refresh_token (
    token_hash       text        primary key,
    authorization_id varchar(100) not null,
    spent_at         timestamptz not null default now()
);
create index sso_spent_refresh_token_authorization on sso_spent_refresh_token (authorization_id);

-- Sign-in clients a supplier filed through its API door, awaiting an access administrator. Nothing is
-- registered with the authorization server (so nothing can get a token) until one is approved; the secret,
-- shown to the supplier once when filing, is kept only as its SHA-256 hash.
create table sso_client_request (
    id                 uuid        primary key,
    supplier_id        uuid        not null,
    product_id         uuid        not null references product (id),
    client_id          varchar(100) not null unique,
    name               text        not null,
    redirect_uris      text        not null,
    confidential       boolean     not null,
    initiate_login_uri text,
    secret_hash        text,
    state              text        not null check (state in ('FILED', 'APPROVED', 'DECLINED')),
    filed_by           text        not null,
    filed_at           timestamptz not null default now(),
    decided_by         text,
    decided_at         timestamptz,
    decision_reason    text
);
