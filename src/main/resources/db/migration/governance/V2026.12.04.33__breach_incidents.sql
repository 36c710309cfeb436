-- Breach support on the data protection officer's desk (issue 11): an incident at one or more recipients (suppliers),
-- when it was discovered (the 72-hour clock of GDPR Art. 33 runs from then), the period whose data it concerns, and a
-- description. The persons affected are not copied: the disclosure ledger answers them, within the reader's scope.
-- Kept with governance (whose scopes decide who sees an incident), as the processing record's versions are.
create table breach_incident (
    id                 bigint generated always as identity primary key,
    discovered_at      timestamptz not null,
    period_from        timestamptz not null,
    period_to          timestamptz not null check (period_to > period_from),
    description        text        not null,
    recorded_by        text        not null,
    recorded_at        timestamptz not null,
    -- recorded within: the whole installation, or the organisation units of the officer's grants
    whole_installation boolean     not null,
    scope_units        uuid[]      not null default '{}'
);
create table breach_incident_supplier (
    incident_id bigint not null references breach_incident (id),
    supplier_id uuid   not null,
    primary key (incident_id, supplier_id)
);
