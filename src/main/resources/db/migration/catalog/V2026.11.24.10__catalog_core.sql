-- The catalogue: suppliers (leverantörer / leverandører), what they process where, their data processing
-- agreements, and their products with a machine-readable declaration of the personal data each needs.

create table supplier (
    id                  uuid primary key,
    name                text not null,
    -- organisationsnummer / CVR-nummer
    organisation_number text not null unique,
    country             text not null check (country ~ '^[A-Z]{2}$'),
    contact_name        text,
    contact_email       text,
    contact_phone       text,
    updated_at          timestamptz not null default now()
);

-- Countries where the supplier itself processes personal data.
create table supplier_processing_country (
    supplier_id uuid not null references supplier (id) on delete cascade,
    country     text not null check (country ~ '^[A-Z]{2}$'),
    primary key (supplier_id, country)
);

-- Underbiträden / underdatabehandlere.
create table sub_processor (
    id          uuid primary key,
    supplier_id uuid not null references supplier (id) on delete cascade,
    name        text not null,
    country     text not null check (country ~ '^[A-Z]{2}$'),
    purpose     text
);
create index sub_processor_supplier on sub_processor (supplier_id);

-- Personuppgiftsbiträdesavtal / databehandleraftale: the document on file and whom it covers.
create table processing_agreement (
    id            uuid primary key,
    supplier_id   uuid not null references supplier (id) on delete cascade,
    document_name text not null,
    document      bytea,
    signed_on     date not null,
    valid_until   date,
    check (valid_until is null or valid_until >= signed_on)
);
create index processing_agreement_supplier on processing_agreement (supplier_id);

-- The organisers (huvudmän) an agreement covers; organiser ids are the directory's organisation ids.
create table processing_agreement_organiser (
    agreement_id uuid not null references processing_agreement (id) on delete cascade,
    organiser_id uuid not null,
    primary key (agreement_id, organiser_id)
);

create table product (
    id                    uuid primary key,
    article_number        text not null unique,
    supplier_id           uuid not null references supplier (id),
    title                 text not null,
    description           text not null default '',
    kind                  text not null check (kind in ('PRINTED_BOUND', 'PRINTED_PAPERBACK', 'DIGITAL', 'BUNDLE')),
    school_forms          text[] not null default '{}',
    grades                text[] not null default '{}',
    subjects              text[] not null default '{}',
    licence_model         text not null check (licence_model in ('PER_USER', 'PER_SCHOOL_UNIT', 'PER_ORGANISER')),
    licence_period_months integer not null default 12 check (licence_period_months > 0),
    price                 numeric(12, 2) not null check (price >= 0),
    currency              text not null default 'SEK' check (currency ~ '^[A-Z]{3}$'),
    -- null: no trial; otherwise the trial's length in days
    trial_days            integer check (trial_days > 0),
    access_method         text not null check (access_method in ('OPENID_CONNECT', 'SCIM', 'ROSTER_PULL', 'NONE')),
    updated_at            timestamptz not null default now()
);
create index product_supplier on product (supplier_id);

-- The data-needs declaration: one row per attribute of the controlled vocabulary the product needs.
create table product_data_need (
    product_id           uuid not null references product (id) on delete cascade,
    attribute            text not null,
    purpose              text not null,
    -- kept this many days after the licence ends
    retention_days       integer not null check (retention_days >= 0),
    processing_countries text[] not null,
    primary key (product_id, attribute)
);
create index product_data_need_attribute on product_data_need (attribute);
