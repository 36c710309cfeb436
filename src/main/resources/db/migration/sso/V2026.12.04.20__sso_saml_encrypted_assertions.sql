-- SAML: assertions encrypted to an SP that publishes an encryption key. The content encryption its metadata asks for
-- (a KeyDescriptor's EncryptionMethod): AES-128-CBC when it lists that and not AES-256-GCM; null means AES-256-GCM,
-- the default (so SPs registered before this keep the default).
alter table sso_saml_sp add column content_encryption text;
