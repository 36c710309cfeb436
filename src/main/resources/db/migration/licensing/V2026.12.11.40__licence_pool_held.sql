-- The seats a pool has given out and not taken back (ACTIVE or GRACE), kept on the pool by every statement that changes
-- assignments (the triggers below), so that the engine reads it instead of counting: each batch of a run counted its
-- pools seats held, which at a pool of a million seats was most of the batch and grew with every batch (BENCHMARKS,
-- "Holding the pools in batches"). The triggers take the pools in id order, as the engine does, so two writers never
-- wait for each other crosswise; the engine and the sweep hold them already.
alter table licence_pool add column held bigint not null default 0 check (held >= 0);

update licence_pool p set held = c.n
from (select pool_id, count(*) as n from licence_assignment where state <> 'ENDED' group by pool_id) c
where c.pool_id = p.id;

-- Adds n(i) to the seats held of pool pool(i), taking the pools in id order first.
create function licence_pool_held_add(pool uuid[], n bigint[]) returns void language plpgsql as $$
begin
    perform 1 from licence_pool where id = any(pool) order by id for no key update;
    update licence_pool p set held = p.held + c.n from unnest(pool, n) as c (pool_id, n) where p.id = c.pool_id;
end $$;

create function licence_pool_held_inserted() returns trigger language plpgsql as $$
begin
    perform licence_pool_held_add(array_agg(pool_id), array_agg(n)) from (
        select pool_id, count(*) as n from new_seats where state <> 'ENDED' group by pool_id
    ) c having count(*) > 0;
    return null;
end $$;

create function licence_pool_held_deleted() returns trigger language plpgsql as $$
begin
    perform licence_pool_held_add(array_agg(pool_id), array_agg(n)) from (
        select pool_id, -count(*) as n from old_seats where state <> 'ENDED' group by pool_id
    ) c having count(*) > 0;
    return null;
end $$;

create function licence_pool_held_updated() returns trigger language plpgsql as $$
begin
    perform licence_pool_held_add(array_agg(pool_id), array_agg(n)) from (
        select pool_id, sum(n)::bigint as n from (
            select pool_id, count(*) as n from new_seats where state <> 'ENDED' group by pool_id
            union all
            select pool_id, -count(*) from old_seats where state <> 'ENDED' group by pool_id
        ) d group by pool_id having sum(n) <> 0
    ) c having count(*) > 0;
    return null;
end $$;

create trigger licence_assignment_held_inserted after insert on licence_assignment
    referencing new table as new_seats for each statement execute function licence_pool_held_inserted();
create trigger licence_assignment_held_updated after update on licence_assignment
    referencing old table as old_seats new table as new_seats for each statement execute function licence_pool_held_updated();
create trigger licence_assignment_held_deleted after delete on licence_assignment
    referencing old table as old_seats for each statement execute function licence_pool_held_deleted();
