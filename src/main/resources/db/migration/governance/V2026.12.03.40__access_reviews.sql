-- Access reviews (attestation, issue 11): a campaign over one organisation unit asks its reviewer to
-- confirm or revoke every grant within the unit; what is not confirmed by the deadline is revoked by the
-- review job (silence never means yes).

-- When an account last signed in: a grant whose account has not signed in for N months is flagged in a
-- review (Unilogin lets admin rights lapse after 12 months unused). Null: never since this column came.
alter table admin_account add column last_signed_in_at timestamptz;

-- A unit's standing reviewer, for the campaigns the schedule starts: yearly over every grant within the
-- unit, half-yearly over those that see protected identities.
create table access_review_schedule (
    organisation_id uuid primary key,
    reviewer        text        not null references admin_account (username),
    set_by          text        not null,
    set_at          timestamptz not null default now()
);

create table access_review (
    id              bigint generated always as identity primary key,
    organisation_id uuid        not null,
    -- a copy of the unit's name when the campaign started: the report stays readable if the unit goes
    unit_name       text        not null,
    reviewer        text        not null references admin_account (username),
    started_by      text        not null,
    -- MANUAL (an administrator), YEARLY or HALF_YEARLY (the schedule; half-yearly: protected identities only)
    kind            text        not null check (kind in ('MANUAL', 'YEARLY', 'HALF_YEARLY')),
    started_at      timestamptz not null,
    deadline        timestamptz not null,
    unused_months   int         not null,
    closed_at       timestamptz
);
create index access_review_unit on access_review (organisation_id, started_at);
create index access_review_open on access_review (deadline) where closed_at is null;

-- The grants under review, copied when the campaign starts: the outcome report is kept after a grant is
-- revoked (and its admin_grant row gone), so it names the grant as it was.
create table access_review_item (
    id                 bigint generated always as identity primary key,
    review_id          bigint      not null references access_review (id),
    grant_id           bigint      not null,
    username           text        not null,
    right_name         text        not null,
    organisations      uuid[]      not null,
    school_forms       text[]      not null,
    last_signed_in_at  timestamptz,
    unused             boolean     not null,
    -- null while open; CONFIRMED or REVOKED by the reviewer, REVOKED_UNANSWERED by the job at the deadline,
    -- GONE when the grant was revoked elsewhere before anyone decided
    decision           text check (decision in ('CONFIRMED', 'REVOKED', 'REVOKED_UNANSWERED', 'GONE')),
    decided_by         text,
    decided_at         timestamptz,
    unique (review_id, grant_id)
);
