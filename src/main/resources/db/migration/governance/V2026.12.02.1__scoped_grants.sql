-- Scoped rights (issue 11): a grant is account × right × scope. The scope is either the whole
-- installation (the first administrator, bootstrap and demo accounts) or one or more organisation units,
-- each covering its subtree; either may be narrowed to school forms (empty: every form).
--
-- admin_right had a single organisation_id that nothing read, so an account "scoped" to one organiser saw
-- them all. Its rows move here: without an organisation they become whole-installation grants (what they
-- were in effect), with one they become grants over that unit (what they were meant to be).
create table admin_grant (
    id                 bigint generated always as identity primary key,
    username           text        not null references admin_account (username) on delete cascade,
    right_name         text        not null,
    whole_installation boolean     not null default false,
    school_forms       text[]      not null default '{}',
    granted_by         text        not null,
    granted_at         timestamptz not null default now()
);
create index admin_grant_account on admin_grant (username, right_name);

create table admin_grant_unit (
    grant_id        bigint not null references admin_grant (id) on delete cascade,
    organisation_id uuid   not null,
    primary key (grant_id, organisation_id)
);

insert into admin_grant (username, right_name, whole_installation, granted_by)
select username, right_name, organisation_id is null, 'migration' from admin_right;
insert into admin_grant_unit (grant_id, organisation_id)
select g.id, r.organisation_id from admin_right r join admin_grant g on g.username = r.username and g.right_name = r.right_name
where r.organisation_id is not null;
drop table admin_right;

-- The one definition of "within scope": the organisation units an account's grants of one right cover,
-- each with the school forms it is narrowed to (null: every form). Every module filters through it
-- (org.tilldela.governance.CallerScope writes the SQL that calls it), so the rule is not re-implemented
-- per query. A unit is covered when a granted unit is it or lies above it (at most 8 levels, as the
-- organisation browser walks, so a loop in bad data cannot run away). With school forms, a school unit
-- is covered only if it serves one of them (or lists none, leaving it to its enrolments and groups);
-- organisers and other units above schools stay covered so the tree can be walked down to them.
-- A disabled account covers nothing.
create function admin_scope_units(p_account text, p_right text) returns table (unit_id uuid, forms text[])
    language sql stable as $$
    with recursive granted as (
        select g.id, g.whole_installation, nullif(g.school_forms, '{}') forms
        from admin_grant g join admin_account a on a.username = g.username
        where g.username = p_account and g.right_name = p_right and a.enabled
    ), covered(unit_id, forms, depth) as (
        select u.organisation_id, gr.forms, 0 from granted gr join admin_grant_unit u on u.grant_id = gr.id
        union all
        select o.id, c.forms, c.depth + 1 from covered c join organisation o on o.parent_id = c.unit_id where c.depth < 8
    ), everything(unit_id, forms) as (
        select c.unit_id, c.forms from covered c
        union all
        select o.id, gr.forms from granted gr cross join organisation o where gr.whole_installation
    )
    select e.unit_id, e.forms from everything e join organisation o on o.id = e.unit_id
    where e.forms is null or o.kind <> 'SCHOOL_UNIT' or cardinality(o.school_forms) = 0 or o.school_forms && e.forms
$$;
