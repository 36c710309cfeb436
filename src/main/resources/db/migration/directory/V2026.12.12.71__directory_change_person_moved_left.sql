-- The roster API asks when a person it sent left the directory, or last moved (RosterDirectory): without an index that
-- was a pass over the whole journal for each question (0.66 s at 5.6 M journalled changes) and, for the users a delta
-- reports gone, an aggregate over every departure ever journalled on each request (0.83 s). Moves and departures are a
-- sixth of the journal (about 4,900 of a 1 % delta's 25,000 changes), so the index costs imports little.
create index directory_change_person_moved_left on directory_change (person_id, recorded_at) where kind in ('PERSON_MOVED', 'PERSON_LEFT');
