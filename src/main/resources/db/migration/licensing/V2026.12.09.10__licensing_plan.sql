-- A plan of what the rules want, made without holding any licence pool, then applied in batches of persons,
-- each batch in a transaction of its own that holds the pools only while it writes (AssignmentEngine). Before,
-- a full recompute held every live pool for its whole run (16.5-28 s at 1,000,000 persons): every buyer
-- and every import waited for it. Working data only: unlogged (not in the WAL, emptied after a crash, which
-- loses nothing but a run in progress that is started again), removed when the run ends.
create unlogged table licence_plan_run (
    id         uuid primary key,
    created_at timestamptz not null default now()
);

-- what is wanted: one row per (pool, person), from the strongest reason; ord is the person's (below), so that a
-- batch reads its rows as one range
create unlogged table licence_plan (
    run_id     uuid not null,
    ord        bigint not null,
    pool_id    uuid not null,
    person_id  uuid not null,
    rule_id    uuid,
    source     text not null,
    product_id uuid not null
);
create index licence_plan_in_order on licence_plan (run_id, ord);

-- everyone whose seats the run may change (they differ from what the rules want, or they wait for a seat), in the
-- order they are served: who has waited for a seat longest first, then those picked by hand, then by a pool's rules,
-- then by a profile, then who only gives a seat back
create unlogged table licence_plan_person (
    run_id    uuid not null,
    ord       bigint not null,
    person_id uuid not null,
    primary key (run_id, ord)
);
