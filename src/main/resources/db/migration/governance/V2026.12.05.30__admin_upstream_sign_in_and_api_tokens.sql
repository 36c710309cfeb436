-- Administrators of organisers with an upstream identity provider sign in through it (issue 11, gov4).
-- An account is found from the upstream account in one of two ways: the provider's configured claim matches the
-- directory person the account is linked to (admin_account.person_id, as for pupils), or an account administrator
-- has bound the account to the upstream subject ("sub") of that organiser's provider. One subject, one account.
alter table admin_account add column upstream_organiser_id uuid;
alter table admin_account add column upstream_subject text;
alter table admin_account add constraint admin_account_upstream_subject unique (upstream_organiser_id, upstream_subject);
alter table admin_account add constraint admin_account_upstream_pair
    check ((upstream_organiser_id is null) = (upstream_subject is null));
-- An account of such an organiser may not sign in with a local password, unless an account administrator has marked
-- it as a break-glass account (for when the organiser's provider is down); marking and each such sign-in are audited.
alter table admin_account add column break_glass boolean not null default false;
-- This account must have a second factor (TOTP) even where the installation does not require one of every account:
-- set for local administrators created by an account administrator. Such an account is sent to enrol before any
-- page, and cannot use the API with its password alone (HTTP Basic): it uses personal API tokens.
alter table admin_account add column second_factor_required boolean not null default false;

-- Personal API tokens: what an account with a second factor uses on the API instead of its password. The token is 256
-- random bits shown once; only its SHA-256 is kept (a fast hash suffices for a value that long and random: there is
-- nothing to guess, and each API call checks it). Each expires; each can be revoked; each use is audited by name.
create table admin_api_token (
    id          bigint generated always as identity primary key,
    username    text        not null references admin_account (username) on delete cascade,
    name        text        not null,
    token_hash  text        not null unique,
    created_at  timestamptz not null default now(),
    expires_at  timestamptz not null,
    revoked_at  timestamptz,
    last_used_at timestamptz
);
create index admin_api_token_account on admin_api_token (username);
