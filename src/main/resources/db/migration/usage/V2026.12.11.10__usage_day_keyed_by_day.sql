-- usage_day keyed by (product, day, person) instead of (product, person, day): the same rows, one index fewer.
-- The utilisation page asks "who used these products in these days", which the new key answers as an index-only
-- range, so usage_day_by_product_day (the same columns, kept beside the old key) goes: every row a supplier
-- reports was written into four indexes, now three. A report's rows of one day also land in one part of the
-- key, not all over it. A resend still finds its row: on conflict names the columns, not their order.
alter table usage_day drop constraint usage_day_pkey;
alter table usage_day add primary key (product_id, day, person_id);
drop index usage_day_by_product_day;
