-- Who last set an import source's settings (what it fetches, and from where). A run of the source — on its schedule, asked
-- for, or on a notification — imports what that administrator pointed it at, so it is bounded by their grant as their own
-- upload would be: an administrator whose grant covers some organisers but not the whole installation cannot have a
-- source add an organisation at the top (DirectoryImporter). Until now only uploads were bounded so.
-- Existing sources: whoever changed them last, as the audit trail says, else whoever created them. Null: set up by no
-- administrator (a test's fixture), not bounded.
alter table import_source add column configured_by text;
update import_source s set configured_by = coalesce(
    (select e.actor from audit_event e
     where e.action = 'IMPORT_SOURCE_CHANGED' and e.target_type = 'import_source' and e.target_id = s.id::text
     order by e.id desc limit 1),
    s.created_by);
