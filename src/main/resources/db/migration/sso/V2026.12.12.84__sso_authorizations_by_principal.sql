-- A password reset ends every authorization the person holds (PersonAccounts.signOutEverywhere), found by the
-- principal's name, which no index covered: each reset read the whole token store — about a day of sign-ins and
-- client-credential grants once ended authorizations are removed (V2026.12.12.82), millions of rows in a national
-- deployment, read while the administrator waits. This index costs one entry per new authorization and per refresh,
-- whose update writes a new row version through every index already (BENCHMARKS.md, "Sign-in").
create index oauth2_authorization_principal on oauth2_authorization (principal_name);
