-- Live import progress in records (issue 13): a OneRoster file's phase counts the bytes read (its size is the one total
-- known before reading it, and drives the progress bar), and besides them the records read so far, from which the run
-- page says "n of about m records". Null where a phase counts records in progress_done itself (SS12000's pages).
alter table import_run add column progress_records bigint;
