-- As membership.line_fp (V2026.12.12.60), for the rows read from OneRoster's users.csv — a person and, in 1.1, the
-- enrolments and duties of the same record, which share its fingerprint — and for guardian links, fingerprinted by
-- (child, guardian, relation) as the import settles them from every user's agentSourcedIds.
alter table person add column line_fp uuid;
alter table enrolment add column line_fp uuid;
alter table duty add column line_fp uuid;
alter table guardian_link add column line_fp uuid;
