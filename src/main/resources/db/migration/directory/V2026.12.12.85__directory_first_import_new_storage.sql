-- A first bulk import into an empty table also gives the table new, empty storage (a new relfilenode) in its own
-- transaction. PostgreSQL then writes no WAL for the rows the transaction inserts when wal_level is minimal, as the
-- embedded server's is (EmbeddedDatabase): the table's files are written and fsynced once at commit instead of every row
-- going through the WAL first (a million persons: 2 million WAL records, 290 MB, and the insert 4.1 → 2.5 s in psql, the
-- commit 0.3 s). A crash before the commit drops the new storage and leaves the old, empty one. On a server with
-- wal_level replica (an external PostgreSQL, usually) nothing changes but a few milliseconds on an empty table.
--
-- TRUNCATE makes new storage where no foreign key refers to the table; where one does (persons, organisations) it is
-- refused even for empty tables, and CLUSTER on the table's primary key does the same for an empty table. Both only when
-- the table is empty as the statement runs: the laying aside above holds the table's ACCESS EXCLUSIVE lock, so no
-- writer is under way, and under READ COMMITTED each statement sees everything committed before it. Under a stricter
-- isolation an earlier snapshot might miss rows committed since, so the table keeps its storage then.
--
-- Otherwise as in V2026.12.12.51.
create or replace function defer_secondary_indexes(target regclass) returns integer
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    item record;
    n    integer := 0;
    key  text;
    empty boolean;
begin
    if exists (select 1 from pg_class c where c.oid = target and coalesce(obj_description(c.oid, 'pg_class'), '') ~ '^(APPEND|OWNER)-ONLY') then
        raise exception 'indexes of % are not deferred', target;
    end if;
    for item in
        select c.conname as name,
               format('alter table %s add constraint %I %s', target, c.conname, pg_get_constraintdef(c.oid)) as definition,
               format('alter table %s drop constraint %I', target, c.conname) as lay_aside,
               case c.contype when 'f' then 1 else 2 end as step
        from pg_constraint c
        where c.conrelid = target
          and (c.contype = 'f'
               or c.contype = 'p' and not exists (select 1 from pg_constraint r where r.confrelid = target and r.contype = 'f'))
        union all
        select i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), format('drop index %s', i.indexrelid::regclass), 3
        from pg_index i
        where i.indrelid = target and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)
        order by step, name
    loop
        insert into deferred_index (table_name, index_name, definition) values (target::text, item.name, item.definition);
        execute item.lay_aside;
        n := n + 1;
    end loop;
    if n > 0 and current_setting('transaction_isolation') = 'read committed' then
        execute format('lock table %s in access exclusive mode', target);
        execute format('select not exists (select 1 from %s)', target) into empty;
        if empty then
            if not exists (select 1 from pg_constraint r where r.confrelid = target and r.contype = 'f') then
                execute format('truncate %s', target);
            else
                select i.indexrelid::regclass::text into key from pg_index i where i.indrelid = target and i.indisprimary;
                if key is not null then
                    execute format('cluster %s using %s', target, key);
                    -- CLUSTER also marks the key as the table's clustering index: not meant, so unmarked
                    execute format('alter table %s set without cluster', target);
                end if;
            end if;
        end if;
    end if;
    return n;
end $$;

comment on function defer_secondary_indexes(regclass) is
    'Lays aside an empty table''s foreign keys, its primary key when nothing refers to the table, and its secondary indexes for a bulk insert, and gives it new storage; restore_secondary_indexes puts them back';
