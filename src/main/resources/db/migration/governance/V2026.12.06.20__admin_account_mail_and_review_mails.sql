-- Access-review notices by e-mail (issue 11). An administrator account may have an e-mail address and a preferred
-- language (sv, da, en) for the mail Tilldela sends it; both optional (no address: notices stay on the page only).
alter table admin_account add column email text check (email is null or (length(email) <= 254 and position('@' in email) > 1));
alter table admin_account add column language text check (language is null or language in ('sv', 'da', 'en'));

-- A third notice: after the deadline the reviewer hears the outcome (what was revoked unanswered).
alter table access_review_notice drop constraint access_review_notice_kind_check;
alter table access_review_notice add constraint access_review_notice_kind_check check (kind in ('REMINDER', 'OUTCOME', 'ESCALATION'));
-- Each notice is mailed once: mail_pending while it is still to be sent (set when it is made, if the recipient had an
-- address and SMTP was configured), mailed_at once it went out. A failed send stays pending and is tried at the next run
-- (until a few days have passed: see AccessReviewMail), so the job is never held up by the SMTP server.
alter table access_review_notice add column mail_pending boolean not null default false;
alter table access_review_notice add column mailed_at timestamptz;
create index access_review_notice_mail_pending on access_review_notice (id) where mail_pending;
