-- Data flows are reviewed too (issue 11): every agreement in force comes up for re-approval by the school on a date;
-- one not re-approved by then lapses (state LAPSED) and the supplier falls back to MINIMAL, as without an agreement.
alter table data_access_agreement add column reapproval_due date;
-- agreements in force before this: a year from their last change, the default period, but never sooner than 60 days
-- after the upgrade — an agreement approved over a year ago would otherwise lapse the moment this runs, and its
-- supplier would fall back to MINIMAL before any school saw a reminder (they show 30 days ahead)
update data_access_agreement set reapproval_due = greatest((updated_at at time zone 'UTC')::date + 365, current_date + 60) where state = 'APPROVED';
alter table data_access_agreement drop constraint data_access_agreement_state_check;
alter table data_access_agreement add constraint data_access_agreement_state_check
    check (state in ('REQUESTED', 'APPROVED', 'DECLINED', 'REVOKED', 'SUPERSEDED', 'LAPSED'));
alter table data_access_agreement add constraint data_access_agreement_due_when_in_force check (state <> 'APPROVED' or reapproval_due is not null);
create index data_access_agreement_reapproval on data_access_agreement (reapproval_due) where state = 'APPROVED';

alter table data_access_step drop constraint data_access_step_kind_check;
alter table data_access_step add constraint data_access_step_kind_check
    check (kind in ('FILED', 'APPROVED', 'NARROWED', 'DECLINED', 'REVOKED', 'SUPERSEDED', 'REAPPROVED', 'LAPSED'));
