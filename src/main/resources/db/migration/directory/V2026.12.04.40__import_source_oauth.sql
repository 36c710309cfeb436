-- Import sources (issue 14): an SS 12000 server (or a package server) may want an OAuth 2.0 access token got with client
-- credentials (RFC 6749 4.4) instead of a fixed bearer token. The client secret is encrypted like the bearer token
-- (SecretsAtRest: the key is not in the database) and never shown again; access tokens are kept in memory only.
alter table import_source
    add column auth          text not null default 'BEARER' check (auth in ('BEARER', 'OAUTH_CLIENT_CREDENTIALS')),
    add column token_url     text,
    add column client_id     text,
    add column client_secret bytea,
    add column token_scope   text,
    add constraint import_source_oauth_complete
        check (auth <> 'OAUTH_CLIENT_CREDENTIALS' or (token_url is not null and client_id is not null and client_secret is not null));
