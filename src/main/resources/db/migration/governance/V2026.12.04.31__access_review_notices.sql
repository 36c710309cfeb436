-- Reminders and escalations of access reviews (issue 11): a reminder to the campaign's reviewer some days before the
-- deadline while grants are undecided; an escalation to the organiser's account administrators when the deadline
-- passes with grants undecided (those grants are revoked by then: silence never means yes). Shown on the access
-- reviews page of the account they are for; one of each kind per campaign and account, so the hourly job may run on
-- several nodes and more than once without repeating itself.
create table access_review_notice (
    id         bigint generated always as identity primary key,
    review_id  bigint      not null references access_review (id),
    kind       text        not null check (kind in ('REMINDER', 'ESCALATION')),
    recipient  text        not null references admin_account (username) on delete cascade,
    -- the grants undecided when the notice was made
    undecided  int         not null,
    created_at timestamptz not null,
    unique (review_id, kind, recipient)
);
create index access_review_notice_recipient on access_review_notice (recipient, created_at desc);
