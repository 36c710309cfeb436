-- Governance: who may sign in to administer Tilldela, with which rights, and the audit trail of what
-- they did and whom they looked at.

create table admin_account (
    username      text primary key,
    password_hash text        not null,
    display_name  text        not null,
    enabled       boolean     not null default true,
    created_at    timestamptz not null default now()
);

-- A right held by an account, optionally limited to an organisation unit (scope) and its descendants.
create table admin_right (
    username        text not null references admin_account (username) on delete cascade,
    right_name      text not null,
    organisation_id uuid,
    primary key (username, right_name)
);

create table audit_event (
    id          bigint generated always as identity primary key,
    occurred_at timestamptz not null default now(),
    actor       text        not null,
    action      text        not null,
    target_type text,
    target_id   text,
    detail      jsonb
);
create index audit_event_target on audit_event (target_type, target_id);
create index audit_event_occurred on audit_event (occurred_at);
