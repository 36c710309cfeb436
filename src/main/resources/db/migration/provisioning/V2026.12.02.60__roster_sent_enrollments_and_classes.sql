-- The enrollments and classes the roster API (OneRoster 1.2) has sent to a product's roster client, and when each
-- went away (departed_at: the pupil left the class, the class was removed, its last licence holder lost the licence,
-- the licence ended), so that a delta (filter dateLastModified>'…') hands the supplier those it holds as 'tobedeleted'.
-- An enrollment's membership may be gone from the directory by then: what a departed one is shown with (its class,
-- school, person and role, the class's school and term) is kept here, and it is only what the supplier was sent with it.
-- Written when a page is sent (a row sent again is active again: departed_at cleared), and departed_at in the
-- transaction that ends it (the licence's, the import's).
create table roster_enrollment (
    product_id    uuid not null,
    membership_id uuid not null,
    person_id     uuid not null,
    group_id      uuid not null,
    school_id     uuid not null,
    role          text not null,
    sent_at       timestamptz not null default now(),
    departed_at   timestamptz,
    primary key (product_id, membership_id)
);
create index roster_enrollment_person on roster_enrollment (person_id);

create table roster_class (
    product_id  uuid not null,
    group_id    uuid not null,
    school_id   uuid not null,
    term_id     text not null,
    sent_at     timestamptz not null default now(),
    departed_at timestamptz,
    primary key (product_id, group_id)
);
create index roster_class_group on roster_class (group_id);
