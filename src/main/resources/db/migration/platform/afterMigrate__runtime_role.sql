-- What the application's database role may do. A Flyway callback: runs after every migrate, so tables
-- added by any module are covered, and is not recorded as a migration of its own.
--
-- Every table stays with the migrating owner. The application gets plain privileges on its working
-- tables (read, add, change, remove, truncate); on tables marked APPEND-ONLY (the disclosure ledger, the
-- audit trail) it may only read and add rows; on tables marked READ-ONLY (what only the owner's migrations and
-- functions write: where the ledger's retention cut the chain) only read; tables marked OWNER-ONLY it cannot touch at all. It cannot
-- create tables or indexes (no CREATE on the schema). What it needs beyond plain privileges — deferring
-- indexes during a first bulk import, refreshing statistics after a big import — goes through SECURITY
-- DEFINER functions that do exactly that and nothing else.
--
-- Nothing here needs a superuser: with an external PostgreSQL the owner (spring.flyway.user) is an ordinary
-- role that owns the database, and the application (spring.datasource.username) another ordinary role.
-- When both are the same account there is nothing to separate, and only the triggers guard the append-only
-- tables.
do $$
declare
    app  text := '${appRole}';
    item record;
    wanted text[];
begin
    if app = current_user then
        raise notice 'application and migrations share the role %: no separate runtime role to grant', app;
        return;
    end if;
    if not exists (select 1 from pg_roles where rolname = app) then
        raise exception 'the application role % does not exist: create it first (see the README, "Database roles")', app;
    end if;
    execute format('grant usage on schema %I to %I', current_schema(), app);
    for item in
        select c.relname, pg_get_userbyid(c.relowner) as owner,
               coalesce(obj_description(c.oid, 'pg_class'), '') like 'APPEND-ONLY%' as append_only,
               coalesce(obj_description(c.oid, 'pg_class'), '') like 'OWNER-ONLY%' as owner_only,
               coalesce(obj_description(c.oid, 'pg_class'), '') like 'READ-ONLY%' as read_only,
               array(select a.privilege_type::text from aclexplode(c.relacl) a join pg_roles r on r.oid = a.grantee
                     where r.rolname = app order by 1) as held
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = current_schema() and c.relkind in ('r', 'p')
    loop
        -- already as it should be (every start after the first, for every table no migration touched): nothing to
        -- write, which keeps the start of a command short
        wanted := case
                when item.relname = 'flyway_schema_history' or item.read_only then array['SELECT']
                when item.owner_only then array[]::text[]
                when item.append_only then array['INSERT', 'SELECT']
                else array['DELETE', 'INSERT', 'REFERENCES', 'SELECT', 'TRUNCATE', 'UPDATE'] end;
        if item.owner <> app and item.held = wanted then
            continue;
        end if;
        if item.owner = app then
            -- databases set up before this rule handed their working tables to the application; take them back
            execute format('alter table %I owner to %I', item.relname, current_user);
        end if;
        execute format('revoke all on %I from %I', item.relname, app);
        if item.relname = 'flyway_schema_history' or item.read_only then
            execute format('grant select on %I to %I', item.relname, app);
        elsif item.owner_only then
            null;
        elsif item.append_only then
            execute format('grant select, insert on %I to %I', item.relname, app);
        else
            execute format('grant select, insert, update, delete, truncate, references on %I to %I', item.relname, app);
        end if;
    end loop;
    for item in
        select c.relname, pg_get_userbyid(c.relowner) as owner,
               array(select a.privilege_type::text from aclexplode(c.relacl) a join pg_roles r on r.oid = a.grantee
                     where r.rolname = app order by 1) as held
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = current_schema() and c.relkind = 'S'
    loop
        if item.owner <> app and item.held = array['SELECT', 'USAGE'] then
            continue;
        end if;
        if item.owner = app then
            execute format('alter sequence %I owner to %I', item.relname, current_user);
        end if;
        execute format('grant usage, select on sequence %I to %I', item.relname, app);
    end loop;
end $$;
