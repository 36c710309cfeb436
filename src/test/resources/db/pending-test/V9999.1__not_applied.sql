-- Only for DatabaseMigratedHealthTest: a migration the database has not had, so health must be DOWN.
select 1;
