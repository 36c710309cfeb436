-- Licence figures as the publisher reports them through BOL (issue 15): per product and school unit, how many licences
-- it counts, how many are assigned, unassigned and used. Fetched on a schedule by the BOL connector and replaced whole
-- each time. method: PER_USER when the publisher lists each user's licences with whether they used it (BOL's
-- school-unit users licences, "method 1"; counted here, no person kept), PER_SCHOOL_UNIT when it reports only totals
-- per school unit ("method 2"). used is null where the publisher does not know.
create table publisher_figures (
    source_id       uuid        not null,
    supplier_id     uuid        not null,
    product_id      uuid        not null,
    -- the school unit in Tilldela (null: a school the publisher named that Tilldela could not place), and its organiser
    organisation_id uuid,
    organiser_id    uuid,
    school          text        not null,
    method          text        not null check (method in ('PER_USER', 'PER_SCHOOL_UNIT')),
    total           int,
    assigned        int         not null,
    unassigned      int,
    used            int,
    fetched_at      timestamptz not null
);
create index publisher_figures_source on publisher_figures (source_id);
create index publisher_figures_product on publisher_figures (product_id);
