-- BOL (Beställning och Leverans, Sambruk; issue 15): a publisher's BOL service is a connector of profile BOL, with the
-- same address, credentials (encrypted, never read back), products, pause and backoff as a SCIM connector. Orders
-- for its products go to it (bol_order, an outbox of its own: one row per order and connector), and licence
-- assignments follow as BOL assignments through the operations queue like SCIM pushes.
alter table provisioning_connector drop constraint provisioning_connector_profile_check,
    add constraint provisioning_connector_profile_check check (profile in ('SCIM_CORE', 'EGIL', 'BOL')),
    -- the publisher's BOL identity (serviceProviderId, e.g. its domain); null for SCIM connectors
    add column service_provider_id text;

create table bol_order (
    id                  bigint generated always as identity primary key,
    connector_id        uuid        not null references provisioning_connector (id) on delete cascade,
    order_id            uuid        not null,
    -- the clientOrderNumber sent: Tilldela's order number, the same on every retry (the publisher may refuse a second)
    client_order_number text        not null,
    -- QUEUED: to send (again, after not_before); SENT: the publisher answered (lines may still wait for its
    -- asynchronous reply); DEAD: refused or every attempt failed — the reason in last_error, replayable
    state               text        not null default 'QUEUED' check (state in ('QUEUED', 'IN_FLIGHT', 'SENT', 'DEAD')),
    attempts            int         not null default 0,
    not_before          timestamptz not null default now(),
    lease_until         timestamptz,
    last_error          text,
    created_at          timestamptz not null default now(),
    sent_at             timestamptz,
    last_reply_at       timestamptz,
    unique (connector_id, order_id)
);
create index bol_order_due on bol_order (not_before) where state in ('QUEUED', 'IN_FLIGHT');

-- An order line as sent: clientOrderLineId is the order line's id. Licence keys the publisher gave, encrypted at rest
-- (a key is as good as a licence); they go with the line's assignments.
create table bol_order_line (
    bol_order_id   bigint not null references bol_order (id) on delete cascade,
    line_id        uuid   not null primary key,
    article_number text   not null,
    product_id     uuid   not null,
    quantity       int    not null,
    unit_price     numeric(12, 2),
    currency       text,
    -- the publisher's last word on the line: beingProcessed, backordered, delivered (final) or failed
    status         text,
    licence_keys   bytea
);
create index bol_order_line_order on bol_order_line (bol_order_id);

-- A licence assigned at the publisher (BOL assignment): one per person and order line at a connector. The user and
-- school are as sent (the user id is what the release policy let go: the pairwise pseudonym unless the agreement says
-- otherwise), so the licence can be taken back by the same ids; clientAssignmentId is a random id of our own.
-- status: the publisher's word — assigned, beingProcessed (its answer comes later) or failed (with why).
create table bol_assignment (
    connector_id         uuid   not null references provisioning_connector (id) on delete cascade,
    person_id            uuid   not null,
    line_id              uuid   not null,
    client_assignment_id text   not null unique,
    article_number       text   not null,
    user_id_source       text   not null,
    user_id              text   not null,
    school_id_source     text   not null,
    school_id            text   not null,
    free_trial           boolean not null,
    -- which of the line's licence keys went with it (null: the publisher gave none)
    key_index            int,
    status               text   not null,
    message              text,
    updated_at           timestamptz not null default now(),
    primary key (connector_id, person_id, line_id)
);
create index bol_assignment_line on bol_assignment (line_id);
