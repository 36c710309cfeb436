-- An order line cancelled before its licences were used (issue 13): its pool was ended and its seats given back.
-- Kept, not deleted: the order is the record of what was bought, and a cancelled line says when and by whom.
alter table order_line add column cancelled_at timestamptz, add column cancelled_by text,
    add constraint order_line_cancelled check ((cancelled_at is null) = (cancelled_by is null));

-- CANCELLED: every line of the order was cancelled.
alter table purchase_order drop constraint purchase_order_status_check,
    add constraint purchase_order_status_check check (status in ('PLACED', 'AWAITING_APPROVAL', 'DECLINED', 'CANCELLED'));
