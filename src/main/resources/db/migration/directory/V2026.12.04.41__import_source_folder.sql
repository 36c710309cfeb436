-- Import sources (issue 14): a OneRoster package dropped in a watched folder. The folder is kept relative to the base
-- directory the operator allows (tilldela.import.sources.folder-base); such a source has no URL.
alter table import_source drop constraint import_source_kind_check;
alter table import_source
    add constraint import_source_kind_check check (kind in ('SS12000', 'ONEROSTER_URL', 'ONEROSTER_FOLDER')),
    alter column url drop not null,
    add column folder text,
    add constraint import_source_where check (case when kind = 'ONEROSTER_FOLDER' then folder is not null else url is not null end);
