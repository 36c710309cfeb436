-- The ledger's retention in years, from tilldela.ledger.retention-years (spring.flyway.placeholders): written by
-- the migrating owner after every migrate, into a table the application cannot read or write, and read only by
-- ledger_remove_expired_month. Changing the setting takes effect at the next start (which migrates). A command
-- run with only the application's role (which migrates nothing) leaves it as the owner last wrote it.
do $$
begin
    if has_table_privilege('ledger_setting', 'INSERT, UPDATE') then
        insert into ledger_setting (name, value) values ('retention_years', '${ledgerRetentionYears}')
        on conflict (name) do update set value = excluded.value;
    end if;
end $$;
