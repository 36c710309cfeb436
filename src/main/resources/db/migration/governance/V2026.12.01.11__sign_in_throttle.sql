-- Sign-in throttle: failed (and still unanswered) sign-ins per account name typed and per remote
-- address. Kept here, not in a node's memory, because several nodes share one database and an attacker
-- may be spread across them by the load balancer.
--
-- An attempt is counted before its password is checked and given back when it succeeds, so that many
-- attempts sent at once cannot slip past the limit while the first ones are still being checked. Once
-- `failures` reaches the limit, sign-in is refused until `last_attempt_at` + the lockout time; counts
-- older than that are forgotten. Rows are keyed by what was typed, so unknown names are throttled like
-- known ones and the lockout message tells nobody whether an account exists.
create table sign_in_throttle (
    kind            text        not null check (kind in ('ACCOUNT', 'ADDRESS')),
    subject         text        not null,
    failures        int         not null default 0 check (failures >= 0),
    last_attempt_at timestamptz not null,
    primary key (kind, subject)
);
create index sign_in_throttle_last_attempt on sign_in_throttle (last_attempt_at);
