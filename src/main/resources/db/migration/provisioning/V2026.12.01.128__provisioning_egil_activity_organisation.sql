-- EGIL's Activity (SS 12000:2018 Aktivitet): one per student group the connector sends, naming the group and the
-- Employments of the connector's licensed teachers who teach it, so a supplier knows which teacher has which class.
-- Here it is kept under its group's id (kind Activity; the supplier knows it by its own UUID, derived from the
-- group's), and its teachers are linked to it (provisioned_egil_link, kind Activity); it goes when its group goes.
-- A school unit's organiser (huvudman) goes as an Organisation the unit refers to, kept while a unit of its is.
alter table provisioned_egil_object drop constraint provisioned_egil_object_kind_check;
alter table provisioned_egil_object add constraint provisioned_egil_object_kind_check
    check (kind in ('SchoolUnit', 'Employment', 'StudentGroup', 'Activity', 'Organisation'));

-- existing EGIL connectors now send Organisations (first) and Activities (after StudentGroups) too, in EGIL's
-- scim-type-send-order
update provisioning_connector set resource_types = '{Organisation,SchoolUnit,Student,Teacher,Employment,StudentGroup,Activity}'
where profile = 'EGIL';
