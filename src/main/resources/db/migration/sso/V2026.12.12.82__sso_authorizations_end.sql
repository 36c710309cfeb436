-- When an authorization ends: the latest expiry of its tokens (a sign-in's refresh token, 8 hours after its last
-- use; a client-credential grant's access token, minutes after it was issued). After that nothing can use it, yet
-- the row keeps the person's id and the claims their access token was given, and the table gained one such row per
-- sign-in and per client-credential grant for ever. ExpiredAuthorizations removes them (and the spent refresh
-- tokens of their families) a while after they end; this index finds them without reading the table. It costs one
-- entry per new authorization and per refresh, whose update writes a new row version through every index already.
create index oauth2_authorization_ends on oauth2_authorization ((greatest(authorization_code_expires_at, access_token_expires_at,
    oidc_id_token_expires_at, refresh_token_expires_at, user_code_expires_at, device_code_expires_at)));
