-- BOL licence statistics (issue 15): the school an assignment was sent for, as the organisation unit it is in Tilldela,
-- so the publisher's figures per school can be shown to whoever sees that school; and when each BOL connector's
-- figures were last fetched (one node fetches them; see BolStatistics).
alter table bol_assignment add column school_organisation_id uuid;
alter table provisioning_connector add column statistics_fetched_at timestamptz;
-- whom a queued order was bought for (the organiser and the organisation: an organiser or a school unit), as the order
-- said, so the connector needs no read of the purchase module's tables
alter table bol_order add column organiser_id uuid, add column scope_id uuid;
-- A bundle (print + digital, BOL's hybrid article) is not ordered through BOL but activated: its printed part is bought
-- and delivered as printed books are, and its digital licences are made usable with /v1/hybrids/activate. An order with
-- both kinds of line is two queued messages: kind ORDER (clientOrderNumber) and ACTIVATION (clientActivationId, kept in
-- client_order_number).
alter table bol_order add column kind text not null default 'ORDER' check (kind in ('ORDER', 'ACTIVATION')),
    drop constraint bol_order_connector_id_order_id_key,
    add constraint bol_order_one_per_kind unique (connector_id, order_id, kind);
