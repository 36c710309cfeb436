-- Sign-in records in the audit trail get a retention of their own. Every sign-in of a pupil or a member of staff
-- through the organiser's identity provider adds a row (UPSTREAM_SIGN_IN, with the address it came from), and
-- refusals and failed sign-ins do too: nationally one to two million rows a day, personal data kept to trace misuse,
-- not for ever. Administrative actions and looks at protected persons are evidence and stay as they are.
--
-- How many days is the migrating owner's setting (tilldela.audit.sign-in-retention-days, written by
-- afterMigrate__audit_retention.sql) in a table the application cannot read or write. The append-only trigger now
-- lets a DELETE through for exactly one kind of row: a sign-in record older than that, whoever asks (so the rule
-- also holds where application and migrations share one role). The application itself has no DELETE on the table
-- and removes expired sign-in records through audit_remove_expired_sign_ins, which runs as the owner and takes no
-- cut-off: whoever holds the application's database password can remove nothing recent and nothing else.
create table audit_setting (
    name  text primary key,
    value text not null
);
comment on table audit_setting is 'OWNER-ONLY: the audit trail''s settings only migrations write (how long sign-in records are kept)';

-- The kinds of event that are sign-ins: a person's through an upstream provider (made, refused, failed), and failed
-- password sign-ins of anyone. An administrator's own sign-ins and second-factor failures stay.
create function audit_is_sign_in(action text) returns boolean language sql immutable as $$
    select action in ('UPSTREAM_SIGN_IN', 'UPSTREAM_SIGN_IN_REFUSED', 'UPSTREAM_SIGN_IN_FAILED', 'SIGN_IN_FAILED')
$$;

-- The sign-in records by time, for the removal: it reads the expired ones only, not past years of administration kept
-- before them (one entry per sign-in, beside the trail's five).
create index audit_event_sign_ins on audit_event (occurred_at) where audit_is_sign_in(action);

-- Sign-in records older than this may go; null: kept (no retention set, or 0 days)
create function audit_sign_ins_expire_before() returns timestamptz
    language sql stable security definer set search_path = public, pg_temp as $$
    select now() - make_interval(days => value::int) from audit_setting where name = 'sign_in_retention_days' and value::int >= 1
$$;
revoke all on function audit_sign_ins_expire_before() from public;

create or replace function audit_event_is_append_only() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        if audit_is_sign_in(old.action) and old.occurred_at < audit_sign_ins_expire_before() then
            return old;
        end if;
    end if;
    raise exception 'the audit trail is append-only: % on audit_event is refused', tg_op
        using errcode = 'insufficient_privilege';
end
$$;

-- Removes at most `batch` expired sign-in records, oldest first; returns how many. The caller repeats until fewer
-- come back, a transaction each, so a night's removal never holds many rows at once.
create function audit_remove_expired_sign_ins(batch int) returns int
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    expired timestamptz := audit_sign_ins_expire_before();
    removed int;
begin
    if expired is null then
        return 0;
    end if;
    delete from audit_event where id in (
        select id from audit_event where occurred_at < expired and audit_is_sign_in(action)
        order by occurred_at limit greatest(1, least(batch, 100000)));
    get diagnostics removed = row_count;
    return removed;
end $$;
revoke all on function audit_remove_expired_sign_ins(int) from public;
grant execute on function audit_remove_expired_sign_ins(int) to ${appRole};
