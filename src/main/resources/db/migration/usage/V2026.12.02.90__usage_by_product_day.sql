-- The utilisation page asks "who used these products in this period" once per page, over the period's days of
-- the products shown: by product, then day, with the person in the index so the table itself is not read
-- (an index-only scan). The primary key (product, person, day) cannot range over days without reading every
-- person's entries of the product.
create index usage_day_by_product_day on usage_day (product_id, day) include (person_id);
