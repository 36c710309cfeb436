-- Upstream sign-in may match a person by civic number, compared by its digits (OrganiserPersons): without this
-- index every such sign-in reads every person. A secondary index, so a first big import defers it like the others.
create index person_civic_number_digits on person (regexp_replace(civic_number, '[^0-9]', '', 'g')) where civic_number is not null;
