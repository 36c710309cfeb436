-- The disclosure ledger: one row per release of personal data about one person to one recipient.
-- Append-only and hash-chained (see org.tilldela.ledger.ChainHash for the exact encoding).
--
-- The sequence is gapless and assigned by the appender while it holds the one row of ledger_head
-- (SELECT … FOR UPDATE), so the chain's order is the commit order and a rolled-back append leaves no
-- hole. Appenders write whole batches under one lock, which keeps throughput up.
--
-- Scale path: partition disclosure by month of disclosed_at (declarative range partitioning; the
-- verifier reads by sequence and does not care), keeping old months on cheaper storage. Not needed at
-- the sizes measured in BENCHMARKS.md.
create table disclosure (
    sequence       bigint      primary key check (sequence > 0),
    person_id      uuid        not null,
    supplier_id    uuid        not null,
    product_id     uuid        not null,
    channel        text        not null,
    -- attribute names (never values), sorted ascending, comma-separated: one plain text is several times
    -- cheaper for the chain verifier to read than a text[] (BENCHMARKS.md)
    attributes     text        not null check (attributes ~ '^([A-Z_]+(,[A-Z_]+)*)?$'),
    agreement_id   uuid,                 -- null: no agreement, MINIMAL by the product's declaration
    legal_basis    text,
    purpose        text,
    disclosed_at   timestamptz not null,
    retention_days int         not null,
    retain_until   date,                 -- known end of the relation + retention, when known at release
    prev_hash      bytea       not null check (octet_length(prev_hash) = 32),
    hash           bytea       not null check (octet_length(hash) = 32)
);
-- The platform's runtime-role callback reads this marker: the application may only SELECT and INSERT.
comment on table disclosure is 'APPEND-ONLY: the disclosure ledger; the application may read and add rows, never change or remove them';

-- "who has data about me", newest first
create index disclosure_by_person on disclosure (person_id, sequence);
-- the live feed filtered by recipient
create index disclosure_by_supplier on disclosure (supplier_id, sequence);
create index disclosure_by_product on disclosure (product_id, sequence);
-- time ranges: rows arrive in time order, so a BRIN index is tiny and enough
create index disclosure_by_time on disclosure using brin (disclosed_at);

-- A database-level guard that holds whatever role connects (short of a superuser switching triggers
-- off): rows are never changed or removed.
create function disclosure_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'the disclosure ledger is append-only: % on disclosure is refused', tg_op
        using errcode = 'insufficient_privilege';
end
$$;
create trigger disclosure_no_update_or_delete before update or delete on disclosure
    for each row execute function disclosure_is_append_only();
create trigger disclosure_no_truncate before truncate on disclosure
    for each statement execute function disclosure_is_append_only();

-- The end of the chain: the last sequence and its hash. Locking this row serialises appenders.
create table ledger_head (
    id            int    primary key check (id = 1),
    last_sequence bigint not null,
    last_hash     bytea  not null check (octet_length(last_hash) = 32)
);
insert into ledger_head (id, last_sequence, last_hash) values (1, 0, decode(repeat('00', 32), 'hex'));

-- What each recipient holds about each person (derived from the ledger, mutable): since when, which
-- attributes ever, why, and until when. Written in the same transaction as the disclosures.
create table holding (
    person_id             uuid        not null,
    supplier_id           uuid        not null,
    product_id            uuid        not null,
    first_disclosed_at    timestamptz not null,
    last_disclosed_at     timestamptz not null,
    attributes            text[]      not null, -- union of everything released, sorted
    disclosures           bigint      not null,
    agreement_id          uuid,
    legal_basis           text,
    purpose               text,
    retention_days        int         not null,
    ended_on              date,                 -- the relation ended (licence ended, person left)
    retain_until          date,                 -- after this the recipient must delete
    deletion_state        text check (deletion_state in ('REQUESTED', 'CONFIRMED')),
    deletion_requested_at timestamptz,
    deletion_confirmed_at timestamptz,
    primary key (person_id, supplier_id, product_id)
);
create index holding_by_supplier on holding (supplier_id, product_id);
create index holding_by_product on holding (product_id);
create index holding_retention on holding (retain_until) where retain_until is not null and deletion_state is distinct from 'CONFIRMED';
