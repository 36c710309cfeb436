-- An assignment sent to a publisher whose answer did not come (a timeout, a 5xx, a lost connection): the publisher may
-- have made it. BOL's /v1/assignments/create carries no idempotency key but the client's own clientAssignmentId, so the
-- next attempt for the same person and order line, with the same content, sends the same id again (the publisher can
-- tell a repeat from a second licence), where each attempt had a new random id. A row goes when the publisher answers
-- for it; one no attempt followed (the person no longer wanted) goes after 30 days.
create table bol_assignment_attempt (
    connector_id         uuid        not null references provisioning_connector (id) on delete cascade,
    person_id            uuid        not null,
    line_id              uuid        not null,
    client_assignment_id text        not null,
    -- what was sent, as BolAssignments.Wanted.sameAs compares it: user, school, article and trial
    content              text        not null,
    -- the licence key it took (of the line's keys; null: none): still taken while the answer is awaited, and sent again with it
    key_index            int,
    sent_at              timestamptz not null default now(),
    primary key (connector_id, person_id, line_id)
);
