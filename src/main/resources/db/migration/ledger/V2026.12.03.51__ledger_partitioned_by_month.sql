-- The disclosure ledger, partitioned by month of disclosed_at (declarative range partitioning).
--
-- Why: a national deployment appends about ten million records a day. Monthly partitions keep each index a
-- month deep, let old months move to cheaper storage, and let the ledger's own retention remove a whole month
-- as one DROP instead of deleting rows from an append-only table. The chain does not care: it is read by
-- sequence, and a removed month leaves a cut (ledger_cut) at its last record whose hash a signed checkpoint
-- vouches for, so the chain after it still verifies.
--
-- The primary key must include the partition key, so it is (sequence, disclosed_at): sequence numbers stay
-- unique because they are taken under the ledger head's lock, and a duplicate would break the chain verifier's
-- order anyway. Months are made ahead by ledger_add_months (called here, and daily by the application); a
-- record dated outside every month made (a test clock years away) lands in the default partition.
create table ledger_partitioned (
    sequence       bigint      not null check (sequence > 0),
    person_id      uuid        not null,
    supplier_id    uuid        not null,
    product_id     uuid        not null,
    channel        text        not null,
    attributes     text        not null check (attributes ~ '^([A-Z_]+(,[A-Z_]+)*)?$'),
    agreement_id   uuid,
    legal_basis    text,
    purpose        text,
    disclosed_at   timestamptz not null,
    retention_days int         not null,
    retain_until   date,
    prev_hash      bytea       not null check (octet_length(prev_hash) = 32),
    hash           bytea       not null check (octet_length(hash) = 32),
    primary key (sequence, disclosed_at)
) partition by range (disclosed_at);

create table disclosure_default partition of ledger_partitioned default;

-- One month's partition, append-only like its parent: the parent's row triggers are cloned to it by
-- PostgreSQL, a TRUNCATE trigger is not, and the comment keeps the runtime role to SELECT and INSERT should it
-- ever be granted anything on the partition itself (it works through the parent, and needs nothing here).
create function ledger_make_month(parent regclass, month date) returns boolean
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    name text := 'disclosure_' || to_char(month, 'YYYY_MM');
begin
    if month <> date_trunc('month', month)::date then
        raise exception '% is not the first day of a month', month;
    end if;
    if to_regclass(name) is not null then
        return false;
    end if;
    begin
        -- months in UTC, whatever the session's time zone
        execute format('create table %I partition of %s for values from (%L) to (%L)', name, parent,
                       month::timestamp at time zone 'UTC', (month + interval '1 month')::timestamp at time zone 'UTC');
    exception when check_violation then
        -- the default partition already holds records of that month: they stay there, and so do the month's next ones
        raise notice 'records of % are in the default partition; % not made', month, name;
        return false;
    end;
    execute format('comment on table %I is %L', name, 'APPEND-ONLY: one month of the disclosure ledger');
    execute format('create trigger %I before truncate on %I for each statement execute function disclosure_is_append_only()',
                   name || '_no_truncate', name);
    return true;
end $$;

-- the months the existing records fall in, and this month and the next three
do $$
declare
    m date;
    this_month date := date_trunc('month', now() at time zone 'UTC')::date;
    first_month date := coalesce((select date_trunc('month', min(disclosed_at) at time zone 'UTC')::date from disclosure), this_month);
begin
    m := least(first_month, this_month);
    while m <= (this_month + interval '3 months')::date loop
        perform ledger_make_month('ledger_partitioned', m);
        m := (m + interval '1 month')::date;
    end loop;
end $$;

insert into ledger_partitioned (sequence, person_id, supplier_id, product_id, channel, attributes, agreement_id, legal_basis, purpose,
                                disclosed_at, retention_days, retain_until, prev_hash, hash)
select sequence, person_id, supplier_id, product_id, channel, attributes, agreement_id, legal_basis, purpose,
       disclosed_at, retention_days, retain_until, prev_hash, hash
from disclosure;

drop table disclosure;
alter table ledger_partitioned rename to disclosure;
alter table disclosure rename constraint ledger_partitioned_pkey to disclosure_pkey;
comment on table disclosure is 'APPEND-ONLY: the disclosure ledger, one partition per month; the application may read and add rows, never change or remove them';
comment on table disclosure_default is 'APPEND-ONLY: disclosure records dated outside every month partition';

create index disclosure_by_person on disclosure (person_id, sequence);
create index disclosure_by_supplier on disclosure (supplier_id, sequence);
create index disclosure_by_product on disclosure (product_id, sequence);
create index disclosure_by_time on disclosure using brin (disclosed_at);

create trigger disclosure_no_update_or_delete before update or delete on disclosure
    for each row execute function disclosure_is_append_only();
create trigger disclosure_no_truncate before truncate on disclosure
    for each statement execute function disclosure_is_append_only();
create trigger disclosure_default_no_truncate before truncate on disclosure_default
    for each statement execute function disclosure_is_append_only();

-- Months ahead, for the application's daily job: it may make partitions of the ledger and nothing else.
create function ledger_add_months(ahead int) returns int
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
        if ledger_make_month('disclosure', m) then
            made := made + 1;
        end if;
        m := (m + interval '1 month')::date;
    end loop;
    return made;
end $$;

revoke all on function ledger_make_month(regclass, date) from public;
revoke all on function ledger_add_months(int) from public;
grant execute on function ledger_add_months(int) to ${appRole};

-- The ledger's own retention (it is personal data too). How many years is the migrating owner's setting
-- (tilldela.ledger.retention-years, written by afterMigrate__ledger_retention.sql): the application cannot
-- change it, so whoever holds the application's database password cannot remove recent months.
create table ledger_setting (
    name  text primary key,
    value text not null
);
comment on table ledger_setting is 'OWNER-ONLY: the ledger settings only migrations write (retention years)';

-- Where a removed month ended: the chain after it links to this record's hash, which a signed checkpoint at
-- the same sequence vouches for (the verifier trusts the cut only through that signature).
create table ledger_cut (
    sequence   bigint      primary key,
    hash       bytea       not null check (octet_length(hash) = 32),
    month      date        not null,
    records    bigint      not null,
    removed_at timestamptz not null default now()
);
comment on table ledger_cut is 'APPEND-ONLY: months removed from the disclosure ledger by its retention, and where the chain was cut';
create trigger ledger_cut_no_update_or_delete before update or delete on ledger_cut
    for each row execute function disclosure_is_append_only();

-- Removes the oldest month partition when it is older than the retention years, after a checkpoint was signed
-- at its last record; returns what it removed (nothing when no month is due). Oldest first, one at a time, so
-- the cut only ever moves forward.
create function ledger_remove_expired_month() returns table (removed_month date, cut bigint, removed_records bigint)
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
    where i.inhparent = 'disclosure'::regclass and c.relname ~ '^disclosure_\d{4}_\d{2}$'
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
    execute format('alter table disclosure detach partition %I', oldest.relname);
    execute format('drop table %I', oldest.relname);
    return query select oldest.month, last_seq, n;
end $$;

revoke all on function ledger_remove_expired_month() from public;
grant execute on function ledger_remove_expired_month() to ${appRole};
