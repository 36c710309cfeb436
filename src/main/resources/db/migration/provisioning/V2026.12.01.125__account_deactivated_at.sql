-- When a person's account at a supplier was deactivated: the per-person report says "account deactivated on …"
-- per recipient. updated_at cannot say it: every push that touches the row moves it, even one that changes
-- nothing. The row is written from several places (the worker's record of an answer, reconciliation, the EGIL
-- push), so the one place all of them pass — the row itself — keeps the moment the account went from active to
-- inactive; an account made active again has none.
alter table provisioned_account add column deactivated_at timestamptz;
update provisioned_account set deactivated_at = updated_at where not active;

create function provisioned_account_deactivated_at() returns trigger language plpgsql as $$
begin
    if new.active then
        new.deactivated_at := null;
    elsif tg_op = 'INSERT' or old.active then
        new.deactivated_at := now();
    else
        new.deactivated_at := old.deactivated_at;  -- inactive before and after: it went inactive then, not now
    end if;
    return new;
end
$$;
create trigger provisioned_account_deactivation before insert or update on provisioned_account
    for each row execute function provisioned_account_deactivated_at();
