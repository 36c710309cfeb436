-- What a run held by the deletion guard would remove, kept with the run so that whoever approves it sees who
-- (issue 13): counts per school unit (a pupil's school, a member of staff's unit; none for guardians), and the
-- first persons by name (ids only: names are read from the directory when shown, masked as anywhere else). Cleared
-- when the run is approved or ends otherwise.
alter table import_run add column removal_by_unit jsonb,
                       add column removal_persons uuid[];
