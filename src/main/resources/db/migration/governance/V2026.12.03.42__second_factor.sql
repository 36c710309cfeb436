-- A second factor for local administrator accounts (issue 11): a TOTP secret (RFC 6238), encrypted at rest with
-- the instance's key-encryption key (platform.SecretsAtRest), so a copy of the database alone cannot mint codes.
-- confirmed_at is set once the administrator has typed a first code from the app; until then the secret is only
-- an offer and sign-in does not ask for it. last_step is the time step of the last code accepted: a code is
-- accepted once only, so one seen over a shoulder or in a log is worthless afterwards.
create table admin_second_factor (
    username     text        primary key references admin_account (username) on delete cascade,
    secret       bytea       not null,
    created_at   timestamptz not null default now(),
    confirmed_at timestamptz,
    last_step    bigint      not null default 0
);
