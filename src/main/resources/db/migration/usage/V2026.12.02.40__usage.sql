-- Usage: what suppliers report back about the use of their products (and, later, sign-ins through
-- Tilldela's own SSO), per person, product and day. Personal data about pupils: kept per person only for
-- tilldela.usage.retention (default 13 months), then folded into usage_month without persons (UsageRetention).

-- One row per product, person and day: a supplier's resend of the same day replaces the row, never adds to
-- it. The product decides the supplier (a product has one), so product × person × day is the supplier ×
-- product × pseudonym × day the supplier reports by. Persons are kept by their directory id (the pseudonym
-- is translated on the way in), so that utilisation can be laid next to the licence assignments.
create table usage_day (
    product_id     uuid        not null,
    person_id      uuid        not null,
    day            date        not null,
    supplier_id    uuid        not null,
    last_active_at timestamptz,
    sessions       int check (sessions >= 0),
    activities     int check (activities >= 0),
    reported_at    timestamptz not null,
    primary key (product_id, person_id, day)
);
-- the person's report, and removal of a person's rows
create index usage_day_by_person on usage_day (person_id);
-- retention works by day; rows arrive roughly in day order, so a BRIN index is tiny and enough
create index usage_day_by_day on usage_day using brin (day);

-- Whole months past retention, without persons: how many distinct persons used the product that month, per
-- the scope (school unit or organiser) of the licence pool they held a seat from (null: no seat).
create table usage_month (
    product_id   uuid   not null,
    month        date   not null check (extract(day from month) = 1),
    scope_id     uuid,
    supplier_id  uuid   not null,
    persons      int    not null,
    active_days  bigint not null,
    sessions     bigint not null,
    activities   bigint not null,
    unique nulls not distinct (product_id, month, scope_id)
);

-- A supplier reports by its pairwise pseudonym, which is an HMAC and cannot be turned back into a person.
-- So the pseudonyms of the persons a supplier has been sent a pseudonymous id of (the ledger's holdings)
-- are computed once and kept here, supplier by supplier; a pseudonym not here (after catching up with the
-- ledger) is one the supplier was never given. Derived data: it can be dropped and rebuilt at any time.
create table usage_pseudonym (
    supplier_id uuid not null,
    pseudonym   uuid not null,
    person_id   uuid not null,
    primary key (supplier_id, pseudonym)
);

-- How far usage_pseudonym has caught up with the ledger's holdings, per supplier.
create table usage_pseudonym_progress (
    supplier_id     uuid primary key,
    indexed_through timestamptz not null
);
