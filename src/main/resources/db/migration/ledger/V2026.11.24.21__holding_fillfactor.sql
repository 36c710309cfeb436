-- Every release updates its holding row (last release, count). Leaving room on each page lets PostgreSQL
-- update in place (HOT: no new index entries when no indexed column changes), which keeps appends fast
-- once the table no longer fits in memory.
alter table holding set (fillfactor = 70);
-- Each index costs every append; holdings are read by person (the primary key's prefix, also for a
-- licence that ended) and by supplier, never by product alone.
drop index holding_by_product;
