-- Import sources (issue 14): an SS 12000 server may demand a client certificate (mutual TLS), alone or with a bearer
-- token or OAuth client credentials. The certificate and its private key are encrypted like the bearer token and the
-- client secret (SecretsAtRest: the key is not in the database) and never shown again. server_ca: the CA certificates
-- (PEM, public) trusted for the source's server instead of the JDK's, when given.
alter table import_source
    add column client_certificate bytea,
    add column client_key         bytea,
    add column server_ca          text,
    add constraint import_source_client_certificate_whole check ((client_certificate is null) = (client_key is null));
