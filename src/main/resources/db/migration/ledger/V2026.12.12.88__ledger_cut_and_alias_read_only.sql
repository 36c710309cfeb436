-- Where the ledger's retention cut the chain, and the former person ids of disclosure records, are written by the
-- owner only (the retention function, SECURITY DEFINER; the re-keying migration): the application reads them. With
-- INSERT, whoever held the application's password could add a cut at a signed checkpoint — and the verification skipped
-- every record up to it — or an alias that shows one person's disclosures in another's report. The runtime-role
-- callback (afterMigrate__runtime_role.sql) grants SELECT only on tables marked READ-ONLY; the triggers that refuse
-- UPDATE and DELETE stay.
comment on table ledger_cut is 'READ-ONLY: months removed from the disclosure ledger by its retention, and where the chain was cut (written by ledger_remove_expired_month only)';
comment on table ledger_person_alias is 'READ-ONLY: former person ids of disclosure records (see V2026.12.01.55); the application reads them, never writes';
