-- Sign-ins through Tilldela's own SSO count as usage too (issue 15): a code redeemed by a product for a person
-- adds one to the person's day of that product. Columns of their own, because a supplier's report of the same
-- day replaces its own figures (sessions, activities, last active) and must not wipe Tilldela's count.
alter table usage_day add column sign_ins int not null default 0 check (sign_ins >= 0),
                      add column last_sign_in_at timestamptz;
alter table usage_month add column sign_ins bigint not null default 0;
