-- The deletion brake per connector (like the import's): when the deactivations and deletions waiting for a
-- connector come to more than this share of the accounts it holds, they are held — nothing of them is sent, other
-- operations go on — until an administrator releases them (they go) or discards them. A wrong import or a revoked
-- agreement must not wipe a supplier's accounts unseen.
alter table provisioning_connector add column deletion_brake_percent numeric(5, 2) not null default 10
    check (deletion_brake_percent > 0 and deletion_brake_percent <= 100);
-- held since when, and how many were waiting then (null: not held)
alter table provisioning_connector add column brake_held_at timestamptz;
alter table provisioning_connector add column brake_held_pending int;
-- the last operation an administrator let through (release or discard): operations up to it no longer count
alter table provisioning_connector add column brake_released_through bigint not null default 0;

-- DISCARDED: a held deactivation or deletion an administrator decided not to send
alter table provisioning_operation drop constraint provisioning_operation_state_check;
alter table provisioning_operation add constraint provisioning_operation_state_check
    check (state in ('PENDING', 'IN_FLIGHT', 'DONE', 'DEAD', 'DISCARDED'));
