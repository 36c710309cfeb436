-- One-time form tokens (org.tilldela.platform.FormSubmissions). Every form that creates something carries a
-- fresh token; the first submission claims it here, in the same transaction as what it creates, and records
-- where it landed. A second submission with the same token (a double click, a reload, another node behind
-- the load balancer) finds the claim — waiting on the unique key while the first is still running — and
-- lands on the same result instead of creating it again. In PostgreSQL because nodes keep no state.
create table form_submission (
    token      uuid primary key,
    actor      text not null,
    form       text not null,
    landing    text not null,
    claimed_at timestamptz not null default now()
);
create index form_submission_claimed_at_idx on form_submission (claimed_at);
