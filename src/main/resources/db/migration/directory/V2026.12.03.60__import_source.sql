-- Import sources (issue 14): systems Tilldela fetches school core data from by itself, on a schedule — an SS 12000
-- API, or a OneRoster package at a URL. One row is one directory source (its name is import_run.source and
-- directory_source.name). The scheduler claims a due source under an advisory lock on its id, so two nodes never
-- run the same source at once; the columns below say when it is due and how its last run went.
create table import_source (
    id                    uuid primary key,
    name                  text        not null unique check (name ~ '^[A-Za-z0-9._-]{1,64}$'),
    kind                  text        not null check (kind in ('SS12000', 'ONEROSTER_URL')),
    url                   text        not null,
    -- the bearer token, encrypted with the key that is not in the database (SecretsAtRest); never shown again
    token                 bytea,
    -- a delta import every this many minutes, and/or a full import daily at this time (the server's time zone)
    delta_minutes         int check (delta_minutes between 1 and 1440),
    full_at               time,
    enabled               boolean     not null default true,
    next_delta_at         timestamptz,
    next_full_at          timestamptz,
    -- set by "run now" and by a change notification: due at the next look, whatever the schedule says
    requested_at          timestamptz,
    requested_full        boolean     not null default false,
    -- SS 12000 change notifications: the subscription at the source, and the SHA-256 of the secret in its webhook URL
    notifications         boolean     not null default false,
    webhook_origin        text,
    webhook_secret_sha256 bytea,
    subscription_id       text,
    subscription_expires  timestamptz,
    subscription_problem  text,
    -- the last run
    last_run_id           uuid,
    last_started_at       timestamptz,
    last_finished_at      timestamptz,
    last_outcome          text check (last_outcome in ('SUCCEEDED', 'FAILED', 'HELD')),
    last_failure          text,
    failures_in_a_row     int         not null default 0,
    created_by            text        not null,
    created_at            timestamptz not null default now(),
    check (delta_minutes is not null or full_at is not null)
);
-- what the scheduler asks every few seconds
create index import_source_due on import_source (least(next_delta_at, next_full_at, requested_at)) where enabled;
