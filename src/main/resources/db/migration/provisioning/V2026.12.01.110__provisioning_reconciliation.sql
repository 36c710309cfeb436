-- Reconciliation (avstämning): now and then Tilldela lists what a supplier holds, compares it with what it should
-- hold, and queues ordinary operations for the difference.
-- when a connector is reconciled: a cron expression of its own (null: tilldela.provisioning.reconcile-cron)
alter table provisioning_connector add column reconcile_cron text;
-- the last reconciliation that ran (dry runs too) and what it found; taken by one node at a time
alter table provisioning_connector add column reconciled_at timestamptz;
alter table provisioning_connector add column reconcile_started_at timestamptz;
-- a digest (SHA-256) of the user attributes Tilldela last sent for the account: a supplier's copy that no longer
-- has that digest was changed there. No more than the person's own record already holds in this database.
alter table provisioned_account add column sent_digest text;
