-- Who last set an import source's settings (what it fetches, and from where). A run of the source — on its schedule, asked
-- for, or on a notification — imports what that administrator pointed it at, so it is bounded by their grant as their own
-- upload would be: an administrator whose grant covers some organisers but not the whole installation cannot have a
-- source add an organisation at the top (DirectoryImporter). Until now only uploads were bounded so.
alter table import_source add column configured_by text;
update import_source set configured_by = created_by;
alter table import_source alter column configured_by set not null;
