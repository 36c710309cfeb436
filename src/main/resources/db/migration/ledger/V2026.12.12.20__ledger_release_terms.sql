-- The terms of a release kept once, not on every record.
--
-- Why: a record's channel, attribute names, agreement, legal basis, purpose and retention (together ~190 of its ~350
-- bytes) are the same for every person a product's release reaches: a national ledger of 200 products holds a few
-- hundred distinct terms across billions of records. Kept once in disclosure_terms and named by a 4-byte id, a record
-- shrinks to about half, and so does what the chain verifier reads, the WAL an append writes and the disk a year
-- takes (BENCHMARKS.md, "The release terms kept once").
--
-- Nothing about the chain changes: a record's hash is still over the values (org.tilldela.ledger.ChainHash), which
-- the verifier looks up by terms_id, so a changed terms row breaks the hash of every record naming it, and the
-- existing records keep their hashes. The view disclosure keeps the ledger readable as one row per record, as before;
-- records are added to disclosure_record.

create table disclosure_terms (
    id             int  generated always as identity primary key,
    channel        text not null,
    attributes     text not null check (attributes ~ '^([A-Z_]+(,[A-Z_]+)*)?$'),
    agreement_id   uuid,
    legal_basis    text,
    purpose        text,
    retention_days int  not null,
    constraint disclosure_terms_once unique nulls not distinct (channel, attributes, agreement_id, legal_basis, purpose, retention_days)
);
comment on table disclosure_terms is 'APPEND-ONLY: the terms of releases (channel, attributes, agreement, legal basis, purpose, retention) the disclosure ledger''s records name';
create trigger disclosure_terms_no_update_or_delete before update or delete on disclosure_terms
    for each row execute function disclosure_is_append_only();
create trigger disclosure_terms_no_truncate before truncate on disclosure_terms
    for each statement execute function disclosure_is_append_only();

-- a row's text form tells a null from an empty text, so it is a join key that hashes (is not distinct from does not)
insert into disclosure_terms (channel, attributes, agreement_id, legal_basis, purpose, retention_days)
select distinct channel, attributes, agreement_id, legal_basis, purpose, retention_days from disclosure
order by 1, 2, 3, 4, 5, 6;

-- the records move to a new partitioned table; the old one and its months step aside under other names first
alter table disclosure rename to disclosure_before_terms;
do $$
declare
    r record;
begin
    for r in select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
             where i.inhparent = 'disclosure_before_terms'::regclass loop
        execute format('alter table %I rename to %I', r.relname, 'before_terms_' || r.relname);
    end loop;
end $$;

create table disclosure_record (
    sequence     bigint      not null check (sequence > 0),
    person_id    uuid        not null,
    supplier_id  uuid        not null,
    product_id   uuid        not null,
    terms_id     int         not null, -- disclosure_terms.id; no foreign key (a check per appended row): the verifier finds a missing one
    disclosed_at timestamptz not null,
    retain_until date,                 -- known end of the relation + retention, when known at release
    prev_hash    bytea       not null check (octet_length(prev_hash) = 32),
    hash         bytea       not null check (octet_length(hash) = 32),
    primary key (sequence, disclosed_at)
) partition by range (disclosed_at);
create table disclosure_default partition of disclosure_record default;

-- the same months as before, and this month and the next three
do $$
declare
    r record;
    m date;
    this_month date := date_trunc('month', now() at time zone 'UTC')::date;
begin
    for r in select to_date(substring(c.relname from 'disclosure_(\d{4}_\d{2})$'), 'YYYY_MM') as month
             from pg_inherits i join pg_class c on c.oid = i.inhrelid
             where i.inhparent = 'disclosure_before_terms'::regclass and c.relname ~ '^before_terms_disclosure_\d{4}_\d{2}$' loop
        perform ledger_make_month('disclosure_record', r.month);
    end loop;
    m := this_month;
    while m <= (this_month + interval '3 months')::date loop
        perform ledger_make_month('disclosure_record', m);
        m := (m + interval '1 month')::date;
    end loop;
end $$;

insert into disclosure_record (sequence, person_id, supplier_id, product_id, terms_id, disclosed_at, retain_until, prev_hash, hash)
select d.sequence, d.person_id, d.supplier_id, d.product_id, t.id, d.disclosed_at, d.retain_until, d.prev_hash, d.hash
from disclosure_before_terms d
join disclosure_terms t
  on row (t.channel, t.attributes, t.agreement_id, t.legal_basis, t.purpose, t.retention_days)::text
   = row (d.channel, d.attributes, d.agreement_id, d.legal_basis, d.purpose, d.retention_days)::text;

do $$
begin
    if (select count(*) from disclosure_record) <> (select count(*) from disclosure_before_terms) then
        raise exception 'not every record found its terms: nothing changed';
    end if;
end $$;

drop table disclosure_before_terms;

comment on table disclosure_record is 'APPEND-ONLY: the disclosure ledger''s records, one partition per month; the application may read and add rows, never change or remove them';
comment on table disclosure_default is 'APPEND-ONLY: disclosure records dated outside every month partition';

-- "who has data about me", newest first
create index disclosure_by_person on disclosure_record (person_id, sequence);
-- the live feed filtered by recipient
create index disclosure_by_supplier on disclosure_record (supplier_id, sequence);
create index disclosure_by_product on disclosure_record (product_id, sequence);
-- time ranges: rows arrive in time order, so a BRIN index is tiny and enough
create index disclosure_by_time on disclosure_record using brin (disclosed_at);

create trigger disclosure_no_update_or_delete before update or delete on disclosure_record
    for each row execute function disclosure_is_append_only();
create trigger disclosure_no_truncate before truncate on disclosure_record
    for each statement execute function disclosure_is_append_only();
create trigger disclosure_default_no_truncate before truncate on disclosure_default
    for each statement execute function disclosure_is_append_only();

-- The ledger as people read it: one row per record with its terms, as the table was before.
create view disclosure as
select r.sequence, r.person_id, r.supplier_id, r.product_id, t.channel, t.attributes, t.agreement_id, t.legal_basis, t.purpose,
       r.disclosed_at, t.retention_days, r.retain_until, r.prev_hash, r.hash, r.terms_id
from disclosure_record r
join disclosure_terms t on t.id = r.terms_id;
comment on view disclosure is 'the disclosure ledger, one row per record with the terms it names (records are added to disclosure_record)';
-- changing or removing through the view is refused as on the table (the view is read-only to the application anyway)
create trigger disclosure_view_no_update_or_delete instead of update or delete on disclosure
    for each row execute function disclosure_is_append_only();
grant select on disclosure to ${appRole};

-- The month functions name the new parent.
create or replace function ledger_add_months(ahead int) returns int
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    m date := date_trunc('month', now() at time zone 'UTC')::date;
    last_month date := (m + make_interval(months => ahead))::date;
    made int := 0;
begin
    if ahead < 0 or ahead > 24 then
        raise exception 'ahead must be 0 to 24 months';
    end if;
    while m <= last_month loop
        if ledger_make_month('disclosure_record', m) then
            made := made + 1;
        end if;
        m := (m + interval '1 month')::date;
    end loop;
    return made;
end $$;

create or replace function ledger_remove_expired_month() returns table (removed_month date, cut bigint, removed_records bigint)
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    years int := (select value::int from ledger_setting where name = 'retention_years');
    oldest record;
    last_seq bigint;
    last_hash bytea;
    n bigint;
begin
    if years is null or years < 1 then
        raise exception 'the ledger has no retention configured (tilldela.ledger.retention-years)';
    end if;
    select c.relname, to_date(substring(c.relname from 'disclosure_(\d{4}_\d{2})'), 'YYYY_MM') as month into oldest
    from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'disclosure_record'::regclass and c.relname ~ '^disclosure_\d{4}_\d{2}$'
    order by month limit 1;
    if not found or oldest.month >= (date_trunc('month', now() at time zone 'UTC') - make_interval(years => years))::date then
        return;
    end if;
    execute format('select max(sequence), count(*) from %I', oldest.relname) into last_seq, n;
    if last_seq is not null then
        execute format('select hash from %I where sequence = $1', oldest.relname) into last_hash using last_seq;
        if not exists (select 1 from ledger_checkpoint k where k.sequence = last_seq and k.hash = last_hash) then
            raise exception 'sign a checkpoint at record % (the last of %) before removing the month', last_seq, oldest.month;
        end if;
        if exists (select 1 from ledger_cut k where k.sequence >= last_seq) then
            raise exception 'the ledger was already cut at or after record %', last_seq;
        end if;
        insert into ledger_cut (sequence, hash, month, records) values (last_seq, last_hash, oldest.month, n);
    end if;
    execute format('alter table disclosure_record detach partition %I', oldest.relname);
    execute format('drop table %I', oldest.relname);
    return query select oldest.month, last_seq, n;
end $$;
