-- Audit trail search (issue 11): who did what. By actor and by action, newest first, without reading the
-- whole trail; the action index also lists the distinct actions for the search's picker (a loose index scan).
create index audit_event_actor on audit_event (actor, id);
create index audit_event_action on audit_event (action, id);
