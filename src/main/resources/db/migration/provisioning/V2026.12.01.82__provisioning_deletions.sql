-- Deletion with receipts: when a holding's retention deadline has passed (ledger: Retention.deletionsDue), the
-- connector that serves its product gets a DELETE of the person's user; the supplier's answer becomes the
-- holding's deletion receipt. A DELETE is about one holding, so it names the product (SYNC and DEACTIVATE do not).
alter table provisioning_operation drop constraint provisioning_operation_kind_check;
alter table provisioning_operation add constraint provisioning_operation_kind_check check (kind in ('SYNC', 'DEACTIVATE', 'DELETE'));
alter table provisioning_operation add column product_id uuid;
alter table provisioning_operation add constraint provisioning_operation_delete_product check ((kind = 'DELETE') = (product_id is not null));
-- the daily run asks "is one already queued?" per holding
create index provisioning_operation_delete on provisioning_operation (connector_id, person_id, product_id) where kind = 'DELETE';
