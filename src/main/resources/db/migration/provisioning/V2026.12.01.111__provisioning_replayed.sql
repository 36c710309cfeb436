-- A dead letter is replayed by a NEW operation made from the person's state today, never by sending its old
-- content again (an old DEACTIVATE replayed after the pupil came back would deactivate them). The dead letter
-- becomes REPLAYED and names the operation that replaced it.
alter table provisioning_operation drop constraint provisioning_operation_state_check;
alter table provisioning_operation add constraint provisioning_operation_state_check
    check (state in ('PENDING', 'IN_FLIGHT', 'DONE', 'DEAD', 'DISCARDED', 'REPLAYED'));
alter table provisioning_operation add column replayed_by bigint;
