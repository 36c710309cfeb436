-- Disclosures recorded under a person's former id. Directory ids used to be plain name-based (MD5) UUIDs
-- of the source's id, which a civic number used as source id gives away; V2026.12.01.55 re-keyed every
-- person (see org.tilldela.directory.importing.Ids). The ledger is append-only and every record's hash
-- covers its person id, so its records keep the id they were appended with: rewriting them would mean
-- recomputing the chain, which is exactly what the chain exists to make detectable, and would no longer
-- match a head hash published before. Instead the migration records here, for every person the ledger
-- holds records about, which former id those records carry; reports and the feed read through it (a
-- person's records are those under their id and under their former one, shown under their id now).
-- Filled only by that migration; the application may read it and never change it.
create table ledger_person_alias (
    legacy_id uuid primary key,
    person_id uuid not null
);
create index ledger_person_alias_person on ledger_person_alias (person_id);
comment on table ledger_person_alias is 'APPEND-ONLY: former person ids of disclosure records (see V2026.12.01.55); the application may read and add rows, never change them';
