-- The utilisation page's figures for a period chosen by hand on a large installation, counted in the background and
-- kept a while (PeriodCounts): one row per what the figures depend on (the viewer's scope, the product, the renewal
-- horizon, the period and the day). The sections are counts with the names of the products and organisations they are
-- about, as the page shows them: no person. Rows older than a day are deleted when a new count starts.
create table utilisation_period_count (
    key         text primary key,
    state       text        not null check (state in ('COUNTING', 'DONE', 'FAILED')),
    started_at  timestamptz not null,
    finished_at timestamptz,
    sections    jsonb,
    check ((state = 'DONE') = (sections is not null)),
    check ((state = 'COUNTING') = (finished_at is null))
);
