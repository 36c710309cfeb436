-- The audit trail is evidence: like the disclosure ledger it is append-only. Two locks, as there:
--
-- 1. The table comment below tells the platform's runtime-role callback (afterMigrate) to give the
--    application role SELECT and INSERT only. Earlier versions of that callback handed every unmarked
--    table to the application role, so the table first goes back to the migrating role: an owner could
--    grant itself the rights back or switch the triggers off.
-- 2. Triggers refuse UPDATE, DELETE and TRUNCATE for whatever role connects (short of a superuser
--    switching triggers off), so the rule also holds where application and migrations share one role.
alter table audit_event owner to current_user;
comment on table audit_event is 'APPEND-ONLY: the audit trail; the application may read and add rows, never change or remove them';

create function audit_event_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'the audit trail is append-only: % on audit_event is refused', tg_op
        using errcode = 'insufficient_privilege';
end
$$;
create trigger audit_event_no_update_or_delete before update or delete on audit_event
    for each row execute function audit_event_is_append_only();
create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function audit_event_is_append_only();
