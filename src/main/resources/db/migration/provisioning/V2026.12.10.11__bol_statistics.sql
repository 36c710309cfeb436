-- BOL licence statistics (issue 15): the school an assignment was sent for, as the organisation unit it is in Tilldela,
-- so the publisher's figures per school can be shown to whoever sees that school; and when each BOL connector's
-- figures were last fetched (one node fetches them; see BolStatistics).
alter table bol_assignment add column school_organisation_id uuid;
alter table provisioning_connector add column statistics_fetched_at timestamptz;
-- whom a queued order was bought for (the organiser and the organisation: an organiser or a school unit), as the order
-- said, so the connector needs no read of the purchase module's tables
alter table bol_order add column organiser_id uuid, add column scope_id uuid;
