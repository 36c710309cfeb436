-- The ledger's overview of recipients, kept (SupplierOverview): per supplier, the persons it holds data about, through
-- how many products, and how many holdings are past their deletion date, as counted at counted_at. Counting reads every
-- holding, seconds at millions, so a large installation reads this instead of counting on each visit.
create table ledger_supplier_summary (
    supplier_id uuid        primary key,
    persons     bigint      not null,
    products    bigint      not null,
    overdue     bigint      not null,
    counted_at  timestamptz not null
);
