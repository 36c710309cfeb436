-- How many rows the tables the kept figures are counted from had seen inserted, updated or deleted when they were counted
-- (PostgreSQL's own statistics): the scheduled recount is skipped while that has not moved on the same day, so a quiet
-- night or weekend costs nothing. Null: counted before this column, counted again at the next turn.
alter table utilisation_kept_state add column changes bigint;
