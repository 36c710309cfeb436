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
    document_type text,
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
    updated_at            timestamptz not null default now(),
    -- Maintained by the triggers below, for search only: the supplier's name (a generated column cannot
    -- look into another table), the text search vector, and the facet keys of the product
    -- ('k:' kind, 'f:' school form, 's:' subject, 'p:' supplier id, 'n:' declared attribute) so one GIN
    -- index filters every facet and one unnest counts them all.
    supplier_name         text not null default '',
    search                tsvector,
    facets                text[] not null default '{}'
);
create index product_supplier on product (supplier_id);
create index product_search on product using gin (search);
create index product_facets on product using gin (facets);
create index product_title on product (title, id);

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

-- Search upkeep. Products are searched in Swedish and Danish at once: every text is indexed with both
-- stemmers (and article numbers and codes with no stemming at all), so "matematiken" finds "Matematik"
-- and "bøgerne" finds "Bog". Title weighs most, then subjects and article number, then supplier, then
-- description.
create function product_search_upkeep() returns trigger language plpgsql as $$
declare
    subjects text := array_to_string(new.subjects, ' ');
begin
    select s.name into new.supplier_name from supplier s where s.id = new.supplier_id;
    new.search :=
        setweight(to_tsvector('swedish', new.title), 'A') || setweight(to_tsvector('danish', new.title), 'A')
        || setweight(to_tsvector('simple', new.article_number), 'A')
        || setweight(to_tsvector('swedish', subjects), 'B') || setweight(to_tsvector('danish', subjects), 'B')
        || setweight(to_tsvector('swedish', coalesce(new.supplier_name, '')), 'C')
        || setweight(to_tsvector('danish', coalesce(new.supplier_name, '')), 'C')
        || setweight(to_tsvector('swedish', new.description), 'D') || setweight(to_tsvector('danish', new.description), 'D');
    new.facets := array['k:' || new.kind, 'p:' || new.supplier_id::text]
        || array(select distinct 'f:' || f from unnest(new.school_forms) f)
        || array(select distinct 's:' || s from unnest(new.subjects) s)
        || array(select 'n:' || d.attribute from product_data_need d where d.product_id = new.id order by d.attribute);
    return new;
end
$$;

create trigger product_search_upkeep before insert or update on product
    for each row execute function product_search_upkeep();

-- A renamed supplier is found by its new name.
create function supplier_name_changed() returns trigger language plpgsql as $$
begin
    update product set supplier_name = new.name where supplier_id = new.id;
    return null;
end
$$;

create trigger supplier_name_changed after update of name on supplier
    for each row when (old.name is distinct from new.name) execute function supplier_name_changed();

-- A changed declaration refreshes the products' facet keys: once per statement, so a bulk load of
-- declarations touches each product once, not once per attribute.
create function product_data_need_changed() returns trigger language plpgsql as $$
begin
    update product p set facets = p.facets where p.id in (select distinct c.product_id from changed c);
    return null;
end
$$;

create trigger product_data_need_inserted after insert on product_data_need
    referencing new table as changed for each statement execute function product_data_need_changed();
create trigger product_data_need_updated after update on product_data_need
    referencing new table as changed for each statement execute function product_data_need_changed();
create trigger product_data_need_deleted after delete on product_data_need
    referencing old table as changed for each statement execute function product_data_need_changed();

-- A counter bumped by every change to what search shows, so every node can cache facet counts and totals
-- per version and never serve stale ones (one statement-level bump per statement, not per row).
create table catalog_version (
    id      integer primary key check (id = 1),
    version bigint not null
);
insert into catalog_version (id, version) values (1, 0);

create function catalog_changed() returns trigger language plpgsql as $$
begin
    update catalog_version set version = version + 1 where id = 1;
    return null;
end
$$;

create trigger product_changed after insert or update or delete on product for each statement execute function catalog_changed();
create trigger product_data_need_changed_version after insert or update or delete on product_data_need
    for each statement execute function catalog_changed();
create trigger supplier_changed after insert or update or delete on supplier for each statement execute function catalog_changed();
