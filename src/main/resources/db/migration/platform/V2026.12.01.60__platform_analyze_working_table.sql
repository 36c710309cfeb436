-- Refreshing a table's statistics (ANALYZE) is reserved to its owner until PostgreSQL 17's MAINTAIN
-- privilege, and the application does not own its tables. After a big import it asks for fresh statistics
-- through this function, which runs as the owner and does nothing but ANALYZE one working table of this
-- schema (never a system catalogue, never a table the application may not write).
create function analyze_working_table(target regclass) returns void
    language plpgsql security definer set search_path = public, pg_temp as $$
begin
    if not exists (select 1 from pg_class c
                   where c.oid = target and c.relnamespace = to_regnamespace(current_schema())::oid
                     and c.relkind in ('r', 'p')
                     and coalesce(obj_description(c.oid, 'pg_class'), '') !~ '^(APPEND|OWNER)-ONLY') then
        raise exception '% is not a working table', target;
    end if;
    execute format('analyze %s', target);
end $$;

revoke all on function analyze_working_table(regclass) from public;
grant execute on function analyze_working_table(regclass) to ${appRole};
