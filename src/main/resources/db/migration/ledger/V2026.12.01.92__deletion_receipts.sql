-- Deletion receipts: when Tilldela asked a recipient to delete what it holds about a person, how
-- (SCIM, or the supplier's own API door), what the supplier answered, and when it confirmed. The holding
-- keeps the state (deletion_state, deletion_requested_at, deletion_confirmed_at); a request row per round
-- keeps the receipt, and stays when a new release later makes the relation live again, so the history of
-- asking and confirming is never lost.
--
-- The current request of a holding is its latest row (highest seq) while the holding's deletion_state is
-- set (REQUESTED or CONFIRMED); a request whose holding was released to again since is history only.
create table deletion_request (
    -- random: names the request to the supplier's API door and carries nothing about the person
    id            uuid        primary key,
    seq           bigint      generated always as identity unique,
    person_id     uuid        not null,
    supplier_id   uuid        not null,
    product_id    uuid        not null,
    retain_until  date,                 -- the deadline that made the deletion due
    channel       text        not null check (channel in ('SCIM', 'SUPPLIER_API')),
    sent_at       timestamptz not null, -- the request was sent (SCIM DELETE) or first fetched through the supplier door
    -- the supplier's latest answer: HTTP status and a short text, never personal data
    answered_at   timestamptz,
    answer_status int,
    answer        text check (char_length(answer) <= 200),
    confirmed_at  timestamptz
);
create index deletion_request_holding on deletion_request (person_id, supplier_id, product_id, seq);
-- every answer, in order (a SCIM DELETE retried after a 500 leaves both answers)
create table deletion_answer (
    request_id    uuid        not null references deletion_request (id),
    answered_at   timestamptz not null,
    answer_status int,
    answer        text        check (char_length(answer) <= 200),
    confirmed     boolean     not null
);
create index deletion_answer_request on deletion_answer (request_id, answered_at);
comment on table deletion_answer is 'APPEND-ONLY: the answers suppliers gave to deletion requests; the application may read and add rows, never change or remove them';
create function deletion_answer_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'deletion answers are append-only: % on deletion_answer is refused', tg_op
        using errcode = 'insufficient_privilege';
end
$$;
create trigger deletion_answer_no_update_or_delete before update or delete on deletion_answer
    for each row execute function deletion_answer_is_append_only();
create trigger deletion_answer_no_truncate before truncate on deletion_answer
    for each statement execute function deletion_answer_is_append_only();

-- Deletions requested or confirmed before receipts were kept: only provisioning over SCIM could send them.
insert into deletion_request (id, person_id, supplier_id, product_id, retain_until, channel, sent_at, confirmed_at)
select gen_random_uuid(), person_id, supplier_id, product_id, retain_until, 'SCIM',
       coalesce(deletion_requested_at, deletion_confirmed_at, now()), deletion_confirmed_at
from holding where deletion_state is not null
order by person_id, supplier_id, product_id;
