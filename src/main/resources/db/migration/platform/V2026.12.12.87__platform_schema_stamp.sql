-- The release that last migrated this database, as a digest of what its migrations would make of it (platform
-- SchemaStamp): its migration files, callbacks and Java migrations, Flyway's placeholders (the settings the callbacks
-- write) and Flyway's version; with it, a digest of the schema history as that migrate left it. A start that finds
-- both as its own would find nothing to migrate and nothing to write, and skips Flyway. One row, owner-only.
create table schema_stamp (
    only_row   boolean primary key default true check (only_row),
    stamp      text not null,
    history    text not null,
    stamped_at timestamptz not null default now()
);

comment on table schema_stamp is 'OWNER-ONLY: the digest of the release that last migrated this database, and of the schema history it left (SchemaStamp)';
