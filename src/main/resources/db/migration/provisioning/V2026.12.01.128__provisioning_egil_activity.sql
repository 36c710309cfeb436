-- EGIL's Activity (SS 12000:2018 Aktivitet): one per student group the connector sends, naming the group and the
-- Employments of the connector's licensed teachers who teach it, so a supplier knows which teacher has which class.
-- Its teachers are linked to it (provisioned_egil_link, kind Activity); it goes when its group goes.
alter table provisioned_egil_object drop constraint provisioned_egil_object_kind_check;
alter table provisioned_egil_object add constraint provisioned_egil_object_kind_check
    check (kind in ('SchoolUnit', 'Employment', 'StudentGroup', 'Activity'));

-- existing EGIL connectors now send Activities too (after StudentGroups, as EGIL's scim-type-send-order has them)
update provisioning_connector set resource_types = '{SchoolUnit,Student,Teacher,Employment,StudentGroup,Activity}'
where profile = 'EGIL';
