-- When a person the roster API (OneRoster 1.2) had sent to a supplier stopped holding a licence of one of its
-- products: the moment, so that a delta (filter dateLastModified>'…') hands the supplier that user with
-- status 'tobedeleted' at the time it happened. The licence keeps only the day it ended (ended_on); a leaver's
-- moment is in the directory's journal (PERSON_LEFT). Only persons the supplier already holds a pseudonym of
-- are written, so nothing here tells it anything it was not sent.
create table roster_departure (
    product_id  uuid not null,
    person_id   uuid not null,
    departed_at timestamptz not null default now(),
    primary key (product_id, person_id)
);
