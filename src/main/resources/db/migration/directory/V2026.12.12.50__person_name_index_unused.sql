-- person_name (lower(family_name) text_pattern_ops, lower(given_name)) served the name search before it folded
-- accents and letters (V2026.12.02.70); no query has used it since — the search uses the two search_fold indexes, the
-- lists sort by the names themselves. An unused index still costs every person written: 1.8 s of a first import's
-- 1,000,000 persons (rebuilt after the insert), and a b-tree entry per changed name in each later import.
drop index if exists person_name;
