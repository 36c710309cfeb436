-- An API client that sends an order again (its answer lost to a timeout, a retry) with the same Idempotency-Key gets the
-- order it placed, not a second one bought: the key is kept with the order, once per buyer, with a digest of the lines
-- asked for, so that the key used again for other lines is told apart (and refused).
alter table purchase_order add column idempotency_key text,
    add column request_digest text;
create unique index purchase_order_idempotency on purchase_order (buyer, idempotency_key) where idempotency_key is not null;
