-- What a person's pairwise pseudonyms are computed from, when it is not their id. A pseudonym is
-- HMAC(key, supplier id || person id); V2026.12.01.55 re-keyed every person id (the former ones gave
-- civic numbers away), and a supplier that already knows a pupil by a pseudonym must keep knowing them by
-- the same one (their account, their work). So for every person who has ever been released to anyone,
-- the migration keeps here the id their pseudonyms were made from. Persons who appear later have none:
-- their id is the basis. Filled only by that migration; the application may read it and never change it.
create table pseudonym_basis (
    person_id uuid primary key,
    basis_id  uuid not null
);
comment on table pseudonym_basis is 'APPEND-ONLY: the former person id pairwise pseudonyms keep being made from (see V2026.12.01.55); the application may read and add rows, never change them';
