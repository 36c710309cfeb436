-- Import sources (issue 14): who is told by e-mail when a source starts failing (where SMTP is configured), and when
-- they were last told, so a failing streak is one e-mail, not one per run.
alter table import_source
    add column alert_emails   text[] not null default '{}',
    add column alert_sent_at  timestamptz;
