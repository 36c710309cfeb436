-- Licensing: licence pools (one per order line, or a trial), the rules and profiles that say who gets a
-- seat, the assignments themselves, and who is left without one. Persons, groups and organisations are
-- referred to by their directory ids; the directory's tables are never joined from here (the directory's
-- Rosters API answers who a selector picks).

create table licence_pool (
    id            uuid primary key,
    product_id    uuid        not null,
    organiser_id  uuid        not null,
    -- the organisation the pool is bought for: the organiser itself or one school unit
    scope_id      uuid        not null,
    -- null: unlimited (per-school-unit and per-organiser licence models)
    seats         int check (seats is null or seats >= 0),
    starts_on     date        not null,
    -- the last day the licence is valid (inclusive)
    ends_on       date        not null,
    trial         boolean     not null default false,
    order_line_id uuid unique,
    created_by    text        not null,
    created_at    timestamptz not null default now(),
    check (ends_on >= starts_on)
);
create index licence_pool_product on licence_pool (product_id);

-- A named bundle of products for a kind of person ("teacher, grundskola", "pupil, year 7"), handed out by
-- its rules ("standard packages") from the pools of its products that cover each person.
create table licence_profile (
    id         uuid primary key,
    name       text        not null unique,
    created_by text        not null,
    created_at timestamptz not null default now()
);

create table licence_profile_product (
    profile_id uuid not null references licence_profile (id) on delete cascade,
    product_id uuid not null,
    primary key (profile_id, product_id)
);

-- Who a pool's (or a profile's) seats go to. kind and parameters as the directory's Rosters.Selector:
-- PERSON (person_id), GROUP (group_id, role), GRADE_AT_UNIT (organisation_id, grade), ROLE_AT_UNIT
-- (organisation_id, role), ALL_PUPILS_AT_UNIT (organisation_id), ORGANISATION (organisation_id, role,
-- grade). direct: picked by hand (a person or a group chosen while browsing) rather than written as a rule.
create table assignment_rule (
    id              uuid primary key,
    pool_id         uuid references licence_pool (id) on delete cascade,
    profile_id      uuid references licence_profile (id) on delete cascade,
    kind            text        not null check (kind in ('PERSON', 'GROUP', 'GRADE_AT_UNIT', 'ROLE_AT_UNIT', 'ALL_PUPILS_AT_UNIT', 'ORGANISATION')),
    organisation_id uuid,
    group_id        uuid,
    person_id       uuid,
    grade           text,
    role            text,
    school_form     text,
    direct          boolean     not null default false,
    created_by      text        not null,
    created_at      timestamptz not null default now(),
    check ((pool_id is null) <> (profile_id is null))
);
create index assignment_rule_pool on assignment_rule (pool_id);
create index assignment_rule_profile on assignment_rule (profile_id);
create index assignment_rule_group on assignment_rule (group_id) where group_id is not null;
-- the same person picked twice by hand is one rule
create unique index assignment_rule_direct_person on assignment_rule (pool_id, person_id) where kind = 'PERSON' and direct;

-- A seat held (ACTIVE), held after the person left the directory until grace_until (GRACE), or given
-- back (ENDED, kept as history: ended_on is the first day without the licence).
create table licence_assignment (
    id          bigint generated always as identity primary key,
    pool_id     uuid        not null references licence_pool (id) on delete cascade,
    person_id   uuid        not null,
    -- the rule that brought it (any one, when several pick the person); null when its rule was removed
    rule_id     uuid references assignment_rule (id) on delete set null,
    source      text        not null check (source in ('DIRECT', 'RULE', 'PROFILE')),
    state       text        not null check (state in ('ACTIVE', 'GRACE', 'ENDED')),
    assigned_at timestamptz not null default now(),
    grace_until date,
    ended_on    date,
    check ((state = 'ENDED') = (ended_on is not null))
);
-- one live seat per person and pool: the database itself refuses a second
create unique index licence_assignment_live on licence_assignment (pool_id, person_id) where state <> 'ENDED';
create index licence_assignment_person on licence_assignment (person_id);
create index licence_assignment_rule on licence_assignment (rule_id);
create index licence_assignment_grace on licence_assignment (grace_until) where state = 'GRACE';

-- Persons a pool's rules pick but who got no seat because the seats ran out: shown to the buyer.
create table licence_shortfall (
    pool_id   uuid        not null references licence_pool (id) on delete cascade,
    person_id uuid        not null,
    rule_id   uuid references assignment_rule (id) on delete set null,
    source    text        not null check (source in ('DIRECT', 'RULE', 'PROFILE')),
    since     timestamptz not null default now(),
    primary key (pool_id, person_id)
);

-- How far the engine has followed the directory's change journal, and when it last recomputed everything.
create table licence_engine_state (
    id                 int primary key check (id = 1),
    last_sequence      bigint      not null default 0,
    last_import_run_id uuid,
    last_full_run_at   timestamptz,
    updated_at         timestamptz not null default now()
);
insert into licence_engine_state (id) values (1);
