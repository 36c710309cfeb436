-- What the application's database role may do. A Flyway callback: runs after every migrate, so tables
-- added by any module are covered, and is not recorded as a migration of its own.
--
-- The application owns its working tables: it rebuilds indexes and analyzes during bulk imports. It
-- does not own the tables marked APPEND-ONLY (the disclosure ledger): those stay with the migrating
-- owner, and the application may only read them and add rows. Tables marked OWNER-ONLY it cannot touch
-- at all. It cannot create tables or indexes (no CREATE on the schema).
--
-- With an external PostgreSQL, Flyway connects as the owner (spring.flyway.user) and the application as
-- its own role (spring.datasource.username); the owner must be a member of that role to hand tables to
-- it. When both are the same account there is nothing to separate, and only the ledger's triggers guard it.
do $$
declare
    app  text := '${appRole}';
    item record;
begin
    if app = current_user then
        raise notice 'application and migrations share the role %: no separate runtime role to grant', app;
        return;
    end if;
    execute format('grant usage on schema %I to %I', current_schema(), app);
    for item in
        select c.relname, coalesce(obj_description(c.oid, 'pg_class'), '') like 'APPEND-ONLY%' as append_only,
               coalesce(obj_description(c.oid, 'pg_class'), '') like 'OWNER-ONLY%' as owner_only
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = current_schema() and c.relkind in ('r', 'p')
    loop
        if item.relname = 'flyway_schema_history' then
            execute format('grant select on %I to %I', item.relname, app);
        elsif item.owner_only then
            execute format('revoke all on %I from %I', item.relname, app);
        elsif item.append_only then
            execute format('revoke all on %I from %I', item.relname, app);
            execute format('grant select, insert on %I to %I', item.relname, app);
        else
            execute format('alter table %I owner to %I', item.relname, app);
        end if;
    end loop;
    -- free-standing sequences (identity and serial ones follow their table)
    for item in
        select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = current_schema() and c.relkind = 'S'
          and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype in ('a', 'i'))
    loop
        execute format('grant usage, select on sequence %I to %I', item.relname, app);
    end loop;
end $$;
