-- SCIM Groups: a group (a class, a teaching group) goes to a supplier only while it contains a licence holder
-- the connector serves, with only those members. What each supplier holds: the group's SCIM id, and who of
-- ours is a member there.
create table provisioned_group (
    connector_id uuid not null references provisioning_connector (id) on delete cascade,
    group_id     uuid not null,
    scim_id      text not null,
    created_at   timestamptz not null default now(),
    primary key (connector_id, group_id)
);

create table provisioned_membership (
    connector_id uuid not null,
    group_id     uuid not null,
    person_id    uuid not null,
    added_at     timestamptz not null default now(),
    primary key (connector_id, group_id, person_id),
    foreign key (connector_id, group_id) references provisioned_group (connector_id, group_id) on delete cascade
);
create index provisioned_membership_person on provisioned_membership (connector_id, person_id);
