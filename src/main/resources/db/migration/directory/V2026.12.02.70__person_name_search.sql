-- Finding people the way the UI writes them ("Bergkvist, Östen", "Östen Bergkvist") and the way people type them
-- (without the letters their keyboard lacks: "ostman" finds Östman, "Soren" finds Søren, "aase" finds Åse).
--
-- search_fold folds a name, or what was typed, to one comparable form: unaccent's rules (shipped with PostgreSQL,
-- trusted, so the database's owner may create it without a superuser) take å, ä → a; ö, ø → o; æ → ae; é → e; ü → u;
-- ß → ss and drop combining accents; then lower case; then the Danish and Norwegian "aa" (the old spelling of å) is
-- folded to "a" on both sides, so "Aase" and "Åse" meet; commas and hyphens become spaces and runs of spaces one,
-- so "Bergkvist, Östen" is "bergkvist osten".
--
-- unaccent() itself is only STABLE (its dictionary could be edited), so no index may use it. This function is
-- declared IMMUTABLE on the understanding that the dictionary is the shipped one and not edited; its SQL-standard
-- body binds the unaccent function and dictionary when it is created, so it does not depend on the search_path of
-- whoever calls it (the application, an index rebuild, pg_restore). Should the rules ever change, reindex the two
-- indexes below.
create extension if not exists unaccent;

create function search_fold(name text) returns text
    language sql immutable parallel safe strict
    return regexp_replace(replace(lower(unaccent('unaccent'::regdictionary, translate(name, ',-', '  '))), 'aa', 'a'), '\s+', ' ', 'g');

-- A name search is a prefix search on "family given" or on "given family", folded: two b-tree indexes with
-- text_pattern_ops answer LIKE 'prefix%' from the index at a million persons (a trigram index would also answer
-- infix searches, but cannot help the two-letter prefixes typed into a search-as-you-type field, and is several
-- times larger). Secondary indexes, so a first big import defers and rebuilds them like the others.
create index person_search_family_given on person (search_fold(family_name || ' ' || given_name) text_pattern_ops);
create index person_search_given_family on person (search_fold(given_name || ' ' || family_name) text_pattern_ops);
