-- Secrets of this installation, one per purpose, generated once (by the application with a SecureRandom,
-- or by the migration that first needs one) and shared by every node through the database. Never shown,
-- never logged, never exported: anyone holding one could recompute what it keys. Like every working
-- table it is owned by the application's role after migrating (platform afterMigrate callback) and has no
-- grant to anyone else.
--
-- 'directory-ids': the key of directory record ids, HMAC-SHA256(key, source, entity, source id); see
-- org.tilldela.directory.importing.Ids. Losing or changing it changes every id the next import makes.
create table instance_secret (
    purpose    text primary key,
    secret     bytea not null check (octet_length(secret) >= 32),
    created_at timestamptz not null default now()
);
revoke all on instance_secret from public;
