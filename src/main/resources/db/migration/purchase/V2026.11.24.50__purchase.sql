-- Purchase: who may buy for which organisation, carts, orders and their recipients, orders held for the
-- data protection officer, each organiser's data policy, and the list of countries personal data may go
-- to. Products, organisations, groups, persons and licence pools are referred to by their ids in the
-- catalogue, directory and licensing modules; their tables are never joined from here.

-- The organisation a buyer account buys for (an organiser or one school unit) and names recipients
-- inside. Set by an administrator; an account without a row cannot order.
create table buyer_scope (
    username        text primary key,
    organisation_id uuid        not null,
    -- the organiser above (or equal to) organisation_id: agreements and policies are the organiser's
    organiser_id    uuid        not null,
    set_by          text        not null,
    set_at          timestamptz not null default now()
);

-- A buyer's cart: lines not yet ordered.
create table cart_line (
    id       uuid primary key,
    buyer    text        not null,
    product_id uuid      not null,
    -- null: as many as the recipients (per-user products), or unlimited (per unit / organiser)
    seats    int check (seats is null or seats > 0),
    trial    boolean     not null default false,
    added_at timestamptz not null default now()
);
create index cart_line_buyer on cart_line (buyer, added_at);

-- Who a line is for. kind: UNIT (everyone at a unit and below; role narrows: PUPIL, STAFF, TEACHER, …),
-- GROUP (a group's members, following the group), PERSON, GRADE_AT_UNIT (the pupils of a grade at a
-- school unit), ROLE_AT_UNIT (staff in a role at a unit), ALL_PUPILS_AT_UNIT.
create table cart_recipient (
    line_id         uuid not null references cart_line (id) on delete cascade,
    position        int  not null,
    kind            text not null check (kind in ('UNIT', 'GROUP', 'PERSON', 'GRADE_AT_UNIT', 'ROLE_AT_UNIT', 'ALL_PUPILS_AT_UNIT')),
    organisation_id uuid,
    group_id        uuid,
    person_id       uuid,
    grade           text,
    role            text,
    primary key (line_id, position)
);

create table purchase_order (
    id           uuid primary key,
    number       bigint generated always as identity unique,
    buyer        text        not null,
    organiser_id uuid        not null,
    scope_id     uuid        not null,
    -- PLACED: pools created; AWAITING_APPROVAL: held for the data protection officer; DECLINED: by them
    status       text        not null check (status in ('PLACED', 'AWAITING_APPROVAL', 'DECLINED')),
    placed_at    timestamptz not null default now(),
    fulfilled_at timestamptz
);
create index purchase_order_buyer on purchase_order (buyer, placed_at desc);

create table order_line (
    id             uuid primary key,
    order_id       uuid          not null references purchase_order (id) on delete cascade,
    position       int           not null,
    product_id     uuid          not null,
    -- the product as it was bought: a later catalogue change does not rewrite an order
    article_number text          not null,
    title          text          not null,
    unit_price     numeric(12, 2) not null,
    currency       text          not null,
    seats          int check (seats is null or seats > 0),
    trial          boolean       not null default false,
    starts_on      date          not null,
    ends_on        date          not null,
    -- OK or NEEDS_DPO_APPROVAL when ordered (a BLOCKED line is never ordered); reasons in plain words
    verdict        text          not null check (verdict in ('OK', 'NEEDS_DPO_APPROVAL')),
    reasons        text[]        not null default '{}',
    -- the licence pool created for the line (null while held, and for products that carry no licence)
    pool_id        uuid,
    unique (order_id, position)
);

create table order_recipient (
    line_id         uuid not null references order_line (id) on delete cascade,
    position        int  not null,
    kind            text not null check (kind in ('UNIT', 'GROUP', 'PERSON', 'GRADE_AT_UNIT', 'ROLE_AT_UNIT', 'ALL_PUPILS_AT_UNIT')),
    organisation_id uuid,
    group_id        uuid,
    person_id       uuid,
    grade           text,
    role            text,
    primary key (line_id, position)
);

-- An order held because what its products declare goes beyond the organiser's data policy.
create table dpo_approval (
    order_id     uuid primary key references purchase_order (id) on delete cascade,
    organiser_id uuid        not null,
    -- the attributes beyond the policy, over all lines
    attributes   text[]      not null,
    state        text        not null check (state in ('PENDING', 'APPROVED', 'DECLINED')),
    requested_at timestamptz not null default now(),
    decided_by   text,
    decided_at   timestamptz,
    reason       text,
    check ((state = 'PENDING') = (decided_at is null)),
    check (state <> 'DECLINED' or coalesce(reason, '') <> '')
);
create index dpo_approval_pending on dpo_approval (requested_at) where state = 'PENDING';

-- The attributes an organiser lets products receive without asking its data protection officer. An
-- organiser without a row has the default: the MINIMAL and SMALL packages (pseudonymous id, organisation,
-- school unit, groups, roles, grade, given and family name).
create table organiser_data_policy (
    organiser_id uuid primary key,
    attributes   text[]      not null,
    updated_by   text        not null,
    updated_at   timestamptz not null default now()
);

-- Countries personal data may be processed in: the EU/EEA member states, and third countries with an EU
-- adequacy decision (GDPR art. 45), each valid from a date and possibly until one. Kept by the data
-- protection officer: a decision can be struck down (Schrems II ended the Privacy Shield in 2020).
create table adequacy_country (
    country       text primary key check (country ~ '^[A-Z]{2}$'),
    name          text        not null,
    basis         text        not null check (basis in ('EU_EEA', 'ADEQUACY_DECISION')),
    -- the decision (or treaty) it rests on
    decision      text        not null,
    decision_date date,
    valid_from    date        not null,
    valid_until   date,
    note          text,
    updated_by    text        not null default 'migration',
    updated_at    timestamptz not null default now(),
    check (valid_until is null or valid_until >= valid_from)
);

insert into adequacy_country (country, name, basis, decision, decision_date, valid_from) values
    ('AT', 'Austria', 'EU_EEA', 'EU member state', null, '1995-01-01'),
    ('BE', 'Belgium', 'EU_EEA', 'EU member state', null, '1958-01-01'),
    ('BG', 'Bulgaria', 'EU_EEA', 'EU member state', null, '2007-01-01'),
    ('HR', 'Croatia', 'EU_EEA', 'EU member state', null, '2013-07-01'),
    ('CY', 'Cyprus', 'EU_EEA', 'EU member state', null, '2004-05-01'),
    ('CZ', 'Czechia', 'EU_EEA', 'EU member state', null, '2004-05-01'),
    ('DK', 'Denmark', 'EU_EEA', 'EU member state', null, '1973-01-01'),
    ('EE', 'Estonia', 'EU_EEA', 'EU member state', null, '2004-05-01'),
    ('FI', 'Finland', 'EU_EEA', 'EU member state', null, '1995-01-01'),
    ('FR', 'France', 'EU_EEA', 'EU member state', null, '1958-01-01'),
    ('DE', 'Germany', 'EU_EEA', 'EU member state', null, '1958-01-01'),
    ('GR', 'Greece', 'EU_EEA', 'EU member state', null, '1981-01-01'),
    ('HU', 'Hungary', 'EU_EEA', 'EU member state', null, '2004-05-01'),
    ('IE', 'Ireland', 'EU_EEA', 'EU member state', null, '1973-01-01'),
    ('IT', 'Italy', 'EU_EEA', 'EU member state', null, '1958-01-01'),
    ('LV', 'Latvia', 'EU_EEA', 'EU member state', null, '2004-05-01'),
    ('LT', 'Lithuania', 'EU_EEA', 'EU member state', null, '2004-05-01'),
    ('LU', 'Luxembourg', 'EU_EEA', 'EU member state', null, '1958-01-01'),
    ('MT', 'Malta', 'EU_EEA', 'EU member state', null, '2004-05-01'),
    ('NL', 'Netherlands', 'EU_EEA', 'EU member state', null, '1958-01-01'),
    ('PL', 'Poland', 'EU_EEA', 'EU member state', null, '2004-05-01'),
    ('PT', 'Portugal', 'EU_EEA', 'EU member state', null, '1986-01-01'),
    ('RO', 'Romania', 'EU_EEA', 'EU member state', null, '2007-01-01'),
    ('SK', 'Slovakia', 'EU_EEA', 'EU member state', null, '2004-05-01'),
    ('SI', 'Slovenia', 'EU_EEA', 'EU member state', null, '2004-05-01'),
    ('ES', 'Spain', 'EU_EEA', 'EU member state', null, '1986-01-01'),
    ('SE', 'Sweden', 'EU_EEA', 'EU member state', null, '1995-01-01'),
    ('IS', 'Iceland', 'EU_EEA', 'EEA Agreement', null, '1994-01-01'),
    ('LI', 'Liechtenstein', 'EU_EEA', 'EEA Agreement', null, '1995-05-01'),
    ('NO', 'Norway', 'EU_EEA', 'EEA Agreement', null, '1994-01-01'),
    ('AD', 'Andorra', 'ADEQUACY_DECISION', 'Commission Decision 2010/625/EU', '2010-10-19', '2010-10-19'),
    ('AR', 'Argentina', 'ADEQUACY_DECISION', 'Commission Decision 2003/490/EC', '2003-06-30', '2003-06-30'),
    ('FO', 'Faroe Islands', 'ADEQUACY_DECISION', 'Commission Decision 2010/146/EU', '2010-03-05', '2010-03-05'),
    ('GG', 'Guernsey', 'ADEQUACY_DECISION', 'Commission Decision 2003/821/EC', '2003-11-21', '2003-11-21'),
    ('IL', 'Israel', 'ADEQUACY_DECISION', 'Commission Decision 2011/61/EU', '2011-01-31', '2011-01-31'),
    ('IM', 'Isle of Man', 'ADEQUACY_DECISION', 'Commission Decision 2004/411/EC', '2004-04-28', '2004-04-28'),
    ('JP', 'Japan', 'ADEQUACY_DECISION', 'Commission Implementing Decision (EU) 2019/419', '2019-01-23', '2019-01-23'),
    ('JE', 'Jersey', 'ADEQUACY_DECISION', 'Commission Decision 2008/393/EC', '2008-05-08', '2008-05-08'),
    ('NZ', 'New Zealand', 'ADEQUACY_DECISION', 'Commission Decision 2013/65/EU', '2012-12-19', '2012-12-19'),
    ('KR', 'Republic of Korea', 'ADEQUACY_DECISION', 'Commission Implementing Decision (EU) 2022/254', '2021-12-17', '2021-12-17'),
    ('CH', 'Switzerland', 'ADEQUACY_DECISION', 'Commission Decision 2000/518/EC', '2000-07-26', '2000-07-26'),
    ('GB', 'United Kingdom', 'ADEQUACY_DECISION', 'Commission Implementing Decision (EU) 2021/1772', '2021-06-28', '2021-06-28'),
    ('UY', 'Uruguay', 'ADEQUACY_DECISION', 'Commission Implementing Decision 2012/484/EU', '2012-08-21', '2012-08-21');

-- Canada's decision covers only organisations subject to PIPEDA (commercial organisations).
insert into adequacy_country (country, name, basis, decision, decision_date, valid_from, note) values
    ('CA', 'Canada', 'ADEQUACY_DECISION', 'Commission Decision 2002/2/EC', '2001-12-20', '2001-12-20',
     'Commercial organisations only (subject to PIPEDA).');
-- The United States: the EU-US Data Privacy Framework covers only organisations certified under it. The
-- gate cannot see a sub-processor's certification, so the entry is listed for the data protection officer
-- to rely on with that in mind (or to end, should the decision fall as Safe Harbour and Privacy Shield did).
insert into adequacy_country (country, name, basis, decision, decision_date, valid_from, note) values
    ('US', 'United States', 'ADEQUACY_DECISION', 'Commission Implementing Decision (EU) 2023/1795 (EU-US Data Privacy Framework)',
     '2023-07-10', '2023-07-10', 'Organisations certified under the EU-US Data Privacy Framework only.');
