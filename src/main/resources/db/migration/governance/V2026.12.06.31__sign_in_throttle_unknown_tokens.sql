-- Unknown API tokens from one address are recorded in the audit trail only so often (SignInThrottle.recordsRefusal):
-- a count of their own, apart from the address's sign-in failures, so guessing tokens does not lock anyone's password
-- sign-in and a flood of them does not fill the audit trail.
alter table sign_in_throttle drop constraint sign_in_throttle_kind_check;
alter table sign_in_throttle add constraint sign_in_throttle_kind_check check (kind in ('ACCOUNT', 'ADDRESS', 'UNKNOWN_TOKEN'));
