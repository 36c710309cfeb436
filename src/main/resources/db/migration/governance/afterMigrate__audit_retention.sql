-- How many days the audit trail keeps sign-in records, from tilldela.audit.sign-in-retention-days
-- (spring.flyway.placeholders): written by the migrating owner after every migrate, into a table the application
-- cannot read or write, and read only by the trail's trigger and audit_remove_expired_sign_ins. 0 keeps them for
-- ever. Changing the setting takes effect at the next start (which migrates). A command run with only the
-- application's role (which migrates nothing) leaves it as the owner last wrote it.
do $$
begin
    if '${auditSignInRetentionDays}' !~ '^[0-9]{1,6}$' then
        raise exception 'tilldela.audit.sign-in-retention-days must be a whole number of days (0: kept for ever), not "%"',
            '${auditSignInRetentionDays}';
    end if;
    if has_table_privilege('audit_setting', 'INSERT, UPDATE') then
        insert into audit_setting (name, value) values ('sign_in_retention_days', '${auditSignInRetentionDays}')
        on conflict (name) do update set value = excluded.value;
    end if;
end $$;
