-- A pupil's sign-in with a sign-in card (CARD_SIGN_IN, with the address it came from) and a failed one
-- (CARD_SIGN_IN_FAILED: the address, why, the pupil's id) are sign-in records like those through an upstream provider:
-- they were left out of audit_is_sign_in and so kept for ever. So was an administrator's password sign-in refused
-- because the account signs in through its organiser's provider (ADMIN_LOCAL_SIGN_IN_REFUSED), a failed sign-in like
-- SIGN_IN_FAILED, which anyone can send without limit. They expire now with the others
-- (tilldela.audit.sign-in-retention-days). The index whose predicate calls the function is built again, as a changed
-- function leaves it describing the old set.
create or replace function audit_is_sign_in(action text) returns boolean language sql immutable as $$
    select action in ('UPSTREAM_SIGN_IN', 'UPSTREAM_SIGN_IN_REFUSED', 'UPSTREAM_SIGN_IN_FAILED', 'SIGN_IN_FAILED', 'CARD_SIGN_IN', 'CARD_SIGN_IN_FAILED',
                      'ADMIN_LOCAL_SIGN_IN_REFUSED')
$$;

drop index audit_event_sign_ins;
create index audit_event_sign_ins on audit_event (occurred_at) where audit_is_sign_in(action);
