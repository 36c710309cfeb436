-- The first bulk import into an empty table also lays aside the table's own foreign keys (person.source and
-- organisation.source → directory_source) and adds them again after the insert, as PostgreSQL's "Populating a
-- Database" advises: a foreign key checks each inserted row with a query of its own (6.7 s of a 1,000,000-person
-- first import, measured), adding it again checks every row in one join (0.12 s). The check is the same, so a row
-- naming a source that does not exist still fails the import, which then rolls back whole.
--
-- Laid aside first, before the indexes: dropping a foreign key takes the referenced table's (directory_source's)
-- exclusive lock until the import commits, and taking it before the target table's own lock means another import
-- waits for this one instead of the two waiting for each other. Only imports read directory_source, and one into the
-- same empty tables would wait for their lock anyway.
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
        select c.conname as name, format('alter table %s add constraint %I %s', target, c.conname, pg_get_constraintdef(c.oid)) as definition
        from pg_constraint c
        where c.conrelid = target and c.contype = 'f'
        order by c.conname
    loop
        insert into deferred_index (table_name, index_name, definition) values (target::text, item.name, item.definition);
        execute format('alter table %s drop constraint %I', target, item.name);
        n := n + 1;
    end loop;
    for item in
        select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
        from pg_index i
        where i.indrelid = target and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)
    loop
        insert into deferred_index (table_name, index_name, definition) values (target::text, item.name, item.definition);
        execute format('drop index %s', item.name);
        n := n + 1;
    end loop;
    return n;
end $$;

comment on function defer_secondary_indexes(regclass) is
    'Lays aside an empty table''s foreign keys and secondary indexes for a bulk insert; restore_secondary_indexes puts them back';
comment on table deferred_index is
    'OWNER-ONLY: written only by defer_secondary_indexes / restore_secondary_indexes (indexes by their definition, foreign keys as the statement that adds them again)';
