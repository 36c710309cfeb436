-- An authorization the authorization server keeps while a person has not yet answered the first-sign-in notice (the
-- consent step: its state and the request, the person's id, no token) has no expiry at all, so the removal of ended
-- authorizations (ExpiredAuthorizations) never found it: one abandoned at the notice stayed for ever. When it was
-- started is kept now (the server's inserts name their columns, so the default fills it), and an authorization
-- without any token is removed that long after it started. Those already stored count from now.
alter table oauth2_authorization add column started_at timestamptz not null default now();
create index oauth2_authorization_unanswered on oauth2_authorization (started_at)
    where authorization_code_expires_at is null and access_token_expires_at is null and oidc_id_token_expires_at is null
      and refresh_token_expires_at is null and user_code_expires_at is null and device_code_expires_at is null
      and refresh_token_value is null;
