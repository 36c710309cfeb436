-- A run held by the deletion guard can be discarded (by an administrator, or by the retention limit on held runs):
-- nothing of it is applied and its kept input is deleted; phase says which ('discarded' or 'expired').
alter table import_run drop constraint import_run_status_check;
alter table import_run add constraint import_run_status_check
    check (status in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'AWAITING_APPROVAL', 'DISCARDED'));
-- the retention job looks for held runs by age
create index import_run_held on import_run (finished_at) where status = 'AWAITING_APPROVAL';
