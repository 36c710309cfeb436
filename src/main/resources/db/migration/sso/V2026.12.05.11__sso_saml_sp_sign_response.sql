-- SAML: some SPs require the whole Response signed (a signed message), not only the assertion in it. An administrator
-- says so per SP; the assertion stays signed too (inside the Response's signature). Off for SPs registered before.
alter table sso_saml_sp add column sign_response boolean not null default false;
