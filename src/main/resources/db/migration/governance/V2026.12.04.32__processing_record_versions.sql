-- The record of processing activities (GDPR Art. 30; registerförteckning / fortegnelse), as the data protection
-- officer's desk generates it (issue 11): every generated version is kept as generated — the CSV and the PDF, with
-- when, by whom, over which scope and in which language — so an earlier one can be downloaded as it was. The desk
-- module owns no migrations of its own; the versions live with governance, whose scopes decide who sees them.
create table processing_record_version (
    id                 bigint generated always as identity primary key,
    generated_at       timestamptz not null,
    generated_by       text        not null,
    -- the scope it was generated within: the whole installation, or the organisation units of the officer's grants
    whole_installation boolean     not null,
    scope_units        uuid[]      not null default '{}',
    language           text        not null,
    entries            int         not null,
    csv                bytea       not null,
    pdf                bytea       not null
);
create index processing_record_version_generated on processing_record_version (generated_at desc);
