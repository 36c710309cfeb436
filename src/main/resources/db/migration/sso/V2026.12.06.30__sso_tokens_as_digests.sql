-- Tokens at rest only as SHA-256 digests (TokensAtRest): an authorization code, access token, refresh token or ID token
-- read from the database, a backup or a dump no longer works. What the server stored before this release is turned into
-- the same form it stores now ('sha256:' and the hex digest of the value's UTF-8 bytes), so tokens already issued keep
-- working. The consent state is not a token and stays as it is.
update oauth2_authorization set
    authorization_code_value = case when authorization_code_value is null or authorization_code_value like 'sha256:%' then authorization_code_value
                                    else 'sha256:' || encode(sha256(convert_to(authorization_code_value, 'UTF8')), 'hex') end,
    access_token_value = case when access_token_value is null or access_token_value like 'sha256:%' then access_token_value
                              else 'sha256:' || encode(sha256(convert_to(access_token_value, 'UTF8')), 'hex') end,
    oidc_id_token_value = case when oidc_id_token_value is null or oidc_id_token_value like 'sha256:%' then oidc_id_token_value
                               else 'sha256:' || encode(sha256(convert_to(oidc_id_token_value, 'UTF8')), 'hex') end,
    refresh_token_value = case when refresh_token_value is null or refresh_token_value like 'sha256:%' then refresh_token_value
                               else 'sha256:' || encode(sha256(convert_to(refresh_token_value, 'UTF8')), 'hex') end,
    user_code_value = case when user_code_value is null or user_code_value like 'sha256:%' then user_code_value
                           else 'sha256:' || encode(sha256(convert_to(user_code_value, 'UTF8')), 'hex') end,
    device_code_value = case when device_code_value is null or device_code_value like 'sha256:%' then device_code_value
                             else 'sha256:' || encode(sha256(convert_to(device_code_value, 'UTF8')), 'hex') end
where coalesce(authorization_code_value, access_token_value, oidc_id_token_value, refresh_token_value, user_code_value, device_code_value) is not null;
