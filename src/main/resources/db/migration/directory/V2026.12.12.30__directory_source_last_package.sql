-- What the last import of a source read, so that the same package again is recognised without reading it:
-- a nightly full package that has not changed (a weekend, a holiday) then costs a digest of the file, not
-- a million rows compared. The key covers the package's bytes and everything else the reading depends on
-- (the build of Tilldela, the school forms known, the import limits); any import that does not set it (an
-- SS 12000 server, a package read with --reread) clears it. Only imports write a source's rows, so an
-- equal key means the stored rows are exactly what reading the package again would give.
alter table directory_source
    add column last_package_key     bytea,
    -- when the import that read it ran (imports recognising it since leave this as it is)
    add column last_package_read_at timestamptz,
    -- rows per entity the source had after that import (entity label → rows), for the summary
    add column last_package_rows    jsonb;
