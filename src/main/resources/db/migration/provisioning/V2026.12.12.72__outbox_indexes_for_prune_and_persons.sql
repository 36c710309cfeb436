-- The hourly prune deletes finished operations in three states ('DONE', 'DISCARDED', 'REPLAYED'); the index it was
-- meant to use held 'DONE' only, and a three-value list does not imply that predicate: every prune read the whole
-- outbox. The index now holds what the prune deletes.
drop index provisioning_operation_done;
create index provisioning_operation_finished on provisioning_operation (finished_at) where state in ('DONE', 'DISCARDED', 'REPLAYED');

-- Every import that changed anything queues operations for its persons' accounts at every connector
-- (Outbox.enqueueForAccounts: person_id = any(:persons)); the key leads with the connector, so that read the whole
-- table of accounts, three times an import.
create index provisioned_account_person on provisioned_account (person_id);
