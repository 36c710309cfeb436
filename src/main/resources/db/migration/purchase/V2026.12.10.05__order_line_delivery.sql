-- How far the publisher has come with an order line (issue 15, BOL: Beställning och Leverans): waiting to be sent,
-- being processed, backordered (with the date the publisher expects), delivered (final: never changed after), or
-- failed (with the publisher's reason). Written by the connector that sends the order; shown to the buyer on the
-- order. A line of a publisher without a BOL connector has no row: it is delivered as the pool it made.
create table order_line_delivery (
    line_id        uuid primary key references order_line (id) on delete cascade,
    status         text        not null check (status in ('QUEUED', 'BEING_PROCESSED', 'BACKORDERED', 'DELIVERED', 'FAILED', 'NOT_SENT')),
    delivery_date  date,
    valid_from     date,
    valid_to       date,
    -- how many licence keys the publisher gave (the keys themselves stay with the connector, encrypted)
    licence_keys   int         not null default 0,
    -- the publisher's reason for a failed line, or why it could not be sent (as the publisher or the transport said it)
    message        text,
    updated_at     timestamptz not null default now()
);
