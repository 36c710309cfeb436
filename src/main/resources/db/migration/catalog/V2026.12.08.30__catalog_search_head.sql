-- The head of a product's search words: everything but its description (title, article number, subjects, supplier),
-- with the same weights as in search. It is the cheap first pass of ranking (CatalogSearch): products whose head
-- matches are ranked, and those matched only in their description follow in title order. Ranking every match of a
-- word that is in half the descriptions (50,000 products of 100,000) read all their rows on each search; the head's
-- matches are a few thousand at most, and the rest is read in title order only as far as the page asked for.
alter table product add column search_head tsvector;

create or replace function product_search_upkeep() returns trigger language plpgsql as $$
declare
    subjects text := array_to_string(new.subjects, ' ');
begin
    select s.name into new.supplier_name from supplier s where s.id = new.supplier_id;
    new.search_head :=
        setweight(to_tsvector('swedish', new.title), 'A') || setweight(to_tsvector('danish', new.title), 'A')
        || setweight(to_tsvector('simple', new.article_number), 'A')
        || setweight(to_tsvector('swedish', subjects), 'B') || setweight(to_tsvector('danish', subjects), 'B')
        || setweight(to_tsvector('swedish', coalesce(new.supplier_name, '')), 'C')
        || setweight(to_tsvector('danish', coalesce(new.supplier_name, '')), 'C');
    new.search := new.search_head
        || setweight(to_tsvector('swedish', new.description), 'D') || setweight(to_tsvector('danish', new.description), 'D');
    new.facets := array['k:' || new.kind, 'p:' || new.supplier_id::text]
        || array(select distinct 'f:' || f from unnest(new.school_forms) f)
        || array(select distinct 's:' || s from unnest(new.subjects) s)
        || array(select 'n:' || d.attribute from product_data_need d where d.product_id = new.id order by d.attribute);
    return new;
end
$$;

-- every product's head, made by the trigger above
update product set search_head = null;

create index product_search_head on product using gin (search_head);
