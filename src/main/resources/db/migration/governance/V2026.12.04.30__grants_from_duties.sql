-- Grants from HR data (issue 11): a rule grants a right to whoever holds a duty (tjänstgöring) in a role at a unit
-- within the rule's unit, e.g. "a principal at a school unit below Provby kommun is DIRECTORY_ADMIN of that school
-- unit". The grants a rule gives are derived: marked with the rule, re-evaluated after every import, so a leaver
-- loses theirs at the next import and a mover the old unit's (and gets the new one's).

-- Which directory person an administrator account is: the link a rule follows from a duty to an account. Set by an
-- account administrator (audited); unique, so one person's duties never reach two accounts.
alter table admin_account add column person_id uuid unique;

create table duty_grant_rule (
    id              bigint generated always as identity primary key,
    -- the duty's role as the directory stores it (PRINCIPAL, TEACHER, ADMINISTRATOR, …)
    duty_role       text        not null,
    right_name      text        not null,
    -- duties at this unit or a unit below it (as admin_scope_units walks: at most 8 levels)
    organisation_id uuid        not null,
    -- the rule grants in its author's name and never beyond what the author could grant by hand: each derived
    -- grant is checked against the author's grants at every evaluation
    created_by      text        not null,
    created_at      timestamptz not null default now()
);

-- A derived grant names its rule; grants by hand have none. No cascade: a rule is removed by code that revokes its
-- grants first, each audited.
alter table admin_grant add column rule_id bigint references duty_grant_rule (id);
create index admin_grant_rule on admin_grant (rule_id) where rule_id is not null;
