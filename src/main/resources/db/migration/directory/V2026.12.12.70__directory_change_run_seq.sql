-- An import's first and last change (min/max of seq for its run) were found by walking the primary key from the
-- journal's start and filtering on the run: the planner expects a run's rows spread evenly, but they are all at the
-- end. With five million changes journalled that took 0.8 s of every import that changed anything, and it grows with
-- the journal. Indexed by (run, seq), both ends are one index lookup; the index replaces the one on the run alone.
create index directory_change_run_seq on directory_change (import_run_id, seq);
drop index directory_change_run;
