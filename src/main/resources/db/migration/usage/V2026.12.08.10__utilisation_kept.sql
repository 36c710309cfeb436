-- The utilisation page's figures for the default period (the last 30 days), kept (UtilisationCounts): counting seats
-- assigned and used reads every assignment and every usage day of the period, seconds at an organiser of a million
-- persons, so a large installation reads these rows instead of counting on each visit. One row per what a section
-- shows, at the finest grain a viewer may see, so each viewer's figures are the kept rows of their scope added up:
--   'L' a product at the organisation its pools were bought for (scope_id; organiser_id its organiser)
--   'O' a product at an organiser (scope_id = organiser_id): a purchasing centre's line, persons counted once per organiser
--   'P' a pool (pool_id), for the renewal list
--   'U' a product at a school unit (scope_id: the unit, or the organiser for holders placed nowhere)
--   'T' a product's holders in a term (term_start) per organisation bought for
--   'M' a product's users in one month (month) of a term per organisation bought for
-- They are counts of persons: no person is named here.
create table utilisation_kept (
    section      char(1) not null check (section in ('L', 'O', 'P', 'U', 'T', 'M')),
    product_id   uuid    not null,
    scope_id     uuid,
    organiser_id uuid,
    pool_id      uuid,
    term_start   date,
    month        date,
    seats        bigint,
    assigned     bigint  not null default 0,
    used         bigint  not null default 0
);
create index utilisation_kept_by_section on utilisation_kept (section, product_id);

-- When the kept rows were counted, and for which period (a new day makes them stale: the period moved).
create table utilisation_kept_state (
    id          int primary key check (id = 1),
    period_from date        not null,
    period_to   date        not null,
    counted_at  timestamptz not null
);
