-- Who holds a product's licences (Licences.HOLDERS, SEATS; pool usage, utilisation) joins the product's pools to their
-- seats. The only index leading with the pool holds live seats alone, and those reads must see ended seats too (a day
-- in the past, grace), so each of them read every seat of every product and pool ever given — several times on each
-- roster API request. Ended seats are kept, so that grows with every term. Indexed by pool, a product's seats are
-- found directly.
create index licence_assignment_pool on licence_assignment (pool_id);
