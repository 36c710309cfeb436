-- Directory: the school core data of one or more sources (a student information system, an HR system),
-- exactly as imported. Tilldela never enriches these rows from anywhere else.
--
-- Every row carries its source and the id it has there; the primary key is a UUID derived from both
-- (name-based, so the same source record always gets the same id), which lets a full import diff a
-- snapshot against what is stored with set-based SQL. The key also makes (source, source_id) unique,
-- so no second index is kept for that: bulk imports pay for every index. content_hash covers the row's
-- imported fields, so "did it change?" is one comparison.

create table directory_source (
    name           text primary key,
    kind           text        not null check (kind in ('ONEROSTER', 'SS12000', 'CSV')),
    created_at     timestamptz not null default now(),
    last_import_at timestamptz,
    -- SS 12000: where to fetch from and up to when changes were fetched (for delta imports)
    base_url       text,
    synced_until   timestamptz
);

-- School forms are data, not code: Swedish skolformer (SS 12000 codes) and Danish school forms.
create table school_form (
    code       text primary key,
    country    char(2) not null,
    name_sv    text    not null,
    name_da    text    not null,
    name_en    text    not null,
    sort_order int     not null
);

insert into school_form (code, country, name_sv, name_da, name_en, sort_order) values
    -- Sweden: SS 12000 Code_SchoolType
    ('FS',       'SE', 'Förskola',                         'Förskola (SE)',               'Preschool',                                   10),
    ('FKLASS',   'SE', 'Förskoleklass',                    'Förskoleklass (SE)',          'Preschool class',                             20),
    ('FTH',      'SE', 'Fritidshem',                       'Fritidshem (SE)',             'After-school centre',                         30),
    ('OPPFTH',   'SE', 'Öppen fritidsverksamhet',          'Öppen fritidsverksamhet (SE)','Open leisure-time activities',                31),
    ('GR',       'SE', 'Grundskola',                       'Grundskola (SE)',             'Compulsory school',                           40),
    ('GRS',      'SE', 'Anpassad grundskola',              'Anpassad grundskola (SE)',    'Compulsory school for pupils with intellectual disabilities', 50),
    ('TR',       'SE', 'Träningsskola',                    'Träningsskola (SE)',          'Training school',                             51),
    ('SP',       'SE', 'Specialskola',                     'Specialskola (SE)',           'Special school',                              55),
    ('SAM',      'SE', 'Sameskola',                        'Sameskola (SE)',              'Sami school',                                 56),
    ('GY',       'SE', 'Gymnasieskola',                    'Gymnasieskola (SE)',          'Upper secondary school',                      60),
    ('GYS',      'SE', 'Anpassad gymnasieskola',           'Anpassad gymnasieskola (SE)', 'Upper secondary school for pupils with intellectual disabilities', 70),
    ('VUX',      'SE', 'Kommunal vuxenutbildning',         'Komvux (SE)',                 'Municipal adult education',                   80),
    ('VUXSFI',   'SE', 'Komvux i svenska för invandrare',  'Komvux SFI (SE)',             'Adult education: Swedish for immigrants',     81),
    ('VUXGR',    'SE', 'Komvux på grundläggande nivå',     'Komvux grundläggende (SE)',   'Adult education, basic level',                82),
    ('VUXGY',    'SE', 'Komvux på gymnasial nivå',         'Komvux gymnasial (SE)',       'Adult education, upper secondary level',      83),
    ('VUXSARGR', 'SE', 'Komvux som anpassad utbildning, grundläggande', 'Komvux anpassad grundl. (SE)', 'Adapted adult education, basic level', 84),
    ('VUXSARTR', 'SE', 'Komvux som anpassad utbildning, träning', 'Komvux anpassad træning (SE)', 'Adapted adult education, training level', 85),
    ('VUXSARGY', 'SE', 'Komvux som anpassad utbildning, gymnasial', 'Komvux anpassad gymn. (SE)', 'Adapted adult education, upper secondary level', 86),
    ('SFI',      'SE', 'Svenska för invandrare',           'Svenska för invandrare (SE)', 'Swedish for immigrants',                      87),
    ('SARVUX',   'SE', 'Särskild utbildning för vuxna',    'Särvux (SE)',                 'Special education for adults',                88),
    ('SARVUXGR', 'SE', 'Särvux på grundläggande nivå',     'Särvux grundl. (SE)',         'Special education for adults, basic level',   89),
    ('SARVUXGY', 'SE', 'Särvux på gymnasial nivå',         'Särvux gymn. (SE)',           'Special education for adults, upper secondary', 90),
    ('KU',       'SE', 'Kulturskola',                      'Kulturskola (SE)',            'Arts school',                                 91),
    ('YH',       'SE', 'Yrkeshögskola',                    'Yrkeshögskola (SE)',          'Higher vocational education',                 92),
    ('FHS',      'SE', 'Folkhögskola',                     'Folkhögskola (SE)',           'Folk high school',                            93),
    ('STF',      'SE', 'Studieförbund',                    'Studieförbund (SE)',          'Adult education association',                 94),
    ('KKU',      'SE', 'Konst- och kulturutbildning',      'Konst- og kulturuddannelse (SE)', 'Arts and culture education',              95),
    ('HS',       'SE', 'Högskola',                         'Högskola (SE)',               'University',                                  96),
    ('ABU',      'SE', 'Arbetsmarknadsutbildning',         'Arbejdsmarkedsuddannelse (SE)', 'Labour market training',                    97),
    ('AU',       'SE', 'Annan utbildning',                 'Anden uddannelse (SE)',       'Other education',                             98),
    -- Denmark
    ('DK-DT',    'DK', 'Dagtilbud (DK)',                   'Dagtilbud',                   'Day care (Denmark)',                         110),
    ('DK-FS',    'DK', 'Folkeskola (DK)',                  'Folkeskole',                  'Primary and lower secondary school (Denmark)', 120),
    ('DK-GYM',   'DK', 'Gymnasium (DK)',                   'Gymnasium',                   'Upper secondary school (Denmark)',           130),
    ('DK-EUD',   'DK', 'Erhvervsskola (DK)',               'Erhvervsskole',               'Vocational school (Denmark)',                140);

create table organisation (
    id                uuid primary key,
    source            text    not null references directory_source (name),
    source_id         text    not null,
    kind              text    not null check (kind in ('ORGANISER', 'SCHOOL_UNIT', 'OTHER')),
    name              text    not null,
    parent_id         uuid,
    school_unit_code  text,
    municipality_code text,
    school_forms      text[]  not null default '{}',
    content_hash      uuid    not null,
    updated_at        timestamptz not null default now()
);
create index organisation_parent on organisation (parent_id);
create index organisation_name on organisation (lower(name) text_pattern_ops);

create table person (
    id            uuid primary key,
    source        text not null references directory_source (name),
    source_id     text not null,
    given_name    text not null,
    family_name   text not null,
    -- personnummer / CPR: never logged, shown masked by default
    civic_number  text,
    email         text,
    username      text,
    -- NONE | CONFIDENTIAL (sekretessmarkering) | PROTECTED_REGISTRATION (skyddad folkbokföring;
    -- navne- og adressebeskyttelse)
    protection    text not null check (protection in ('NONE', 'CONFIDENTIAL', 'PROTECTED_REGISTRATION')),
    content_hash  uuid not null,
    updated_at    timestamptz not null default now()
);
create index person_name on person (lower(family_name) text_pattern_ops, lower(given_name));
create index person_protected on person (id) where protection <> 'NONE';

-- A pupil's placement at a school unit in a school form (and grade): inskrivning / placering.
create table enrolment (
    id             uuid primary key,
    source         text not null,
    source_id      text not null,
    person_id      uuid not null,
    school_unit_id uuid not null,
    school_form    text,
    grade          text,
    content_hash   uuid not null
);
create index enrolment_person on enrolment (person_id);
create index enrolment_school_unit on enrolment (school_unit_id);

create table student_group (
    id              uuid primary key,
    source          text not null,
    source_id       text not null,
    organisation_id uuid not null,
    -- CLASS (klass) | TEACHING_GROUP (undervisningsgrupp) | MENTOR_GROUP | GRADE (årskurs) | OTHER
    kind            text not null,
    name            text not null,
    school_form     text,
    grades          text,
    start_date      date,
    end_date        date,
    content_hash    uuid not null,
    updated_at      timestamptz not null default now()
);
create index student_group_organisation on student_group (organisation_id);
create index student_group_name on student_group (lower(name) text_pattern_ops);

create table membership (
    id           uuid primary key,
    source       text not null,
    source_id    text not null,
    group_id     uuid not null,
    person_id    uuid not null,
    role         text not null,
    start_date   date,
    end_date     date,
    content_hash uuid not null
);
create index membership_group on membership (group_id);
create index membership_person on membership (person_id);

-- Staff at an organisation unit in a role: tjänstgöring / duty.
create table duty (
    id              uuid primary key,
    source          text not null,
    source_id       text not null,
    person_id       uuid not null,
    organisation_id uuid not null,
    role            text not null,
    start_date      date,
    end_date        date,
    content_hash    uuid not null
);
create index duty_person on duty (person_id);
create index duty_organisation on duty (organisation_id);

-- vårdnadshavare / forælder
create table guardian_link (
    id           uuid primary key,
    source       text not null,
    source_id    text not null,
    guardian_id  uuid not null,
    child_id     uuid not null,
    relation     text not null,
    content_hash uuid not null
);
create index guardian_link_child on guardian_link (child_id);
create index guardian_link_guardian on guardian_link (guardian_id);

-- The directory's change journal: what every import changed, person by person and group by group.
-- Other modules read it in order (seq) through the directory's public API; it is written in the same
-- transaction as the change itself, so no change is ever lost or announced without having happened.
create table directory_change (
    seq           bigint generated always as identity primary key,
    import_run_id uuid        not null,
    recorded_at   timestamptz not null default now(),
    kind          text        not null check (kind in ('PERSON_JOINED', 'PERSON_MOVED', 'PERSON_LEFT', 'GROUP_CHANGED')),
    person_id     uuid,
    group_id      uuid
);
create index directory_change_run on directory_change (import_run_id);

create table import_run (
    id             uuid primary key,
    source         text        not null,
    format         text        not null,
    mode           text        not null,
    status         text        not null check (status in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'AWAITING_APPROVAL')),
    requested_by   text        not null,
    started_at     timestamptz not null default now(),
    finished_at    timestamptz,
    phase          text,
    progress_done  bigint      not null default 0,
    progress_total bigint      not null default 0,
    summary        jsonb,
    problems       jsonb,
    -- for an import held by the deletion guard: the uploaded file, kept until approved or discarded
    input_path     text,
    input_name     text,
    would_remove   int
);
create index import_run_started on import_run (started_at desc);
