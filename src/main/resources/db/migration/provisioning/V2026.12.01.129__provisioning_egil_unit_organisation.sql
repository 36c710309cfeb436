-- Which Organisation (organiser, huvudman) a SchoolUnit at the supplier refers to, as last sent: an Organisation
-- goes only when no SchoolUnit there refers to it any more (the supplier refuses to delete one still referred to).
-- Keeping it only while a person is linked to it is not enough: V2026.12.01.128 linked nobody already at a unit
-- to its organiser, so the last one linked could leave while others still keep the unit.
alter table provisioned_egil_object add column organisation_id uuid;
alter table provisioned_egil_object add constraint provisioned_egil_object_organisation
    check (organisation_id is null or kind = 'SchoolUnit');

-- Units already sent referred to what EgilPush then took as the organiser: the top of the unit's ancestry (at most
-- 8 levels up), sent as an Organisation at the same connector before the unit. Read from the directory once, here.
with recursive up (unit_id, id, parent_id, depth) as (
    select u.external_id, o.id, o.parent_id, 0 from provisioned_egil_object u join organisation o on o.id = u.external_id
    where u.kind = 'SchoolUnit'
    union all
    select up.unit_id, o.id, o.parent_id, up.depth + 1 from up join organisation o on o.id = up.parent_id where up.depth < 8
), top as (
    select distinct on (unit_id) unit_id, id from up where depth > 0 order by unit_id, depth desc
)
update provisioned_egil_object u set organisation_id = top.id
from top, provisioned_egil_object sent
where u.kind = 'SchoolUnit' and top.unit_id = u.external_id
  and sent.connector_id = u.connector_id and sent.kind = 'Organisation' and sent.external_id = top.id;
