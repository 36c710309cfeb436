-- The journal also records a change of a person's released attributes (name, e-mail, civic number,
-- username, protection, guardian links) as PERSON_CHANGED, so that a supplier holding the old value gets
-- the new one (a SCIM update) without waiting for a move.
alter table directory_change drop constraint directory_change_kind_check;
alter table directory_change add constraint directory_change_kind_check
    check (kind in ('PERSON_JOINED', 'PERSON_MOVED', 'PERSON_CHANGED', 'PERSON_LEFT', 'GROUP_CHANGED'));
