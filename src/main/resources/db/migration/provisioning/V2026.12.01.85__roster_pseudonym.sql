-- The pairwise pseudonyms the roster API (OneRoster 1.2) has sent to each supplier as users' sourcedIds,
-- so that a supplier can ask for one user (GET /users/{sourcedId}) or filter by sourcedId: a pseudonym is
-- an HMAC and cannot be turned back into a person otherwise. Only pseudonyms the supplier already holds
-- are here, so looking one up tells it nothing new. Written once per person and supplier, never changed.
create table roster_pseudonym (
    supplier_id uuid not null,
    pseudonym   uuid not null,
    person_id   uuid not null,
    sent_at     timestamptz not null default now(),
    primary key (supplier_id, pseudonym),
    unique (supplier_id, person_id)
);
comment on table roster_pseudonym is 'APPEND-ONLY: pseudonyms sent over the roster API, by supplier; the application may read and add rows, never change them';
