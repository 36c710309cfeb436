-- A buyer may withdraw an order still held for the data protection officer (issue 13): nothing was licensed yet, so
-- nothing is given back; the approval is closed as WITHDRAWN (by the buyer, when) so it can no longer be approved.
alter table dpo_approval drop constraint dpo_approval_state_check,
    add constraint dpo_approval_state_check check (state in ('PENDING', 'APPROVED', 'DECLINED', 'WITHDRAWN'));
