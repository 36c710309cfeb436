-- The first bulk import into an empty table drops its secondary indexes and builds them again after the
-- insert. Building an index needs the right to create objects in the schema, which the application's
-- role does not have (so it cannot create tables either). These two functions run as the migrating
-- owner and can only put back exactly the indexes they took away, recorded where the application
-- cannot write: no way to run arbitrary DDL through them.
create table deferred_index (
    table_name text not null,
    index_name text not null,
    definition text not null,
    primary key (table_name, index_name)
);
comment on table deferred_index is 'OWNER-ONLY: written only by defer_secondary_indexes / restore_secondary_indexes';

create function defer_secondary_indexes(target regclass) returns integer
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    idx record;
    n   integer := 0;
begin
    if exists (select 1 from pg_class c where c.oid = target and coalesce(obj_description(c.oid, 'pg_class'), '') ~ '^(APPEND|OWNER)-ONLY') then
        raise exception 'indexes of % are not deferred', target;
    end if;
    for idx in
        select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
        from pg_index i
        where i.indrelid = target and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)
    loop
        insert into deferred_index (table_name, index_name, definition) values (target::text, idx.name, idx.definition);
        execute format('drop index %s', idx.name);
        n := n + 1;
    end loop;
    return n;
end $$;

create function restore_secondary_indexes(target regclass) returns integer
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    idx record;
    n   integer := 0;
begin
    for idx in delete from deferred_index where table_name = target::text returning definition loop
        execute idx.definition;
        n := n + 1;
    end loop;
    return n;
end $$;

revoke all on function defer_secondary_indexes(regclass) from public;
revoke all on function restore_secondary_indexes(regclass) from public;
grant execute on function defer_secondary_indexes(regclass) to ${appRole};
grant execute on function restore_secondary_indexes(regclass) to ${appRole};
