-- The units an account holds a right over through grants given by hand only (not those a duty rule derived). A duty
-- rule's reach rests on its author's rights; counted with the grants rules derive, a rule could keep its own author's
-- derived grant alive after the author's hand-given right was revoked (the derived grant covering the unit it derives
-- from), and two rules could hold each other up for good. The body is admin_scope_units' (V2026.12.02.1) with that one
-- condition more; the function every scope check uses is left as it is.
create function admin_scope_units_given_by_hand(p_account text, p_right text) returns table (unit_id uuid, forms text[])
    language sql stable as $$
    with recursive granted as (
        select g.id, g.whole_installation, nullif(g.school_forms, '{}') forms
        from admin_grant g join admin_account a on a.username = g.username
        where g.username = p_account and g.right_name = p_right and a.enabled and g.rule_id is null
    ), covered(unit_id, forms, depth) as (
        select u.organisation_id, gr.forms, 0 from granted gr join admin_grant_unit u on u.grant_id = gr.id
        union all
        select o.id, c.forms, c.depth + 1 from covered c join organisation o on o.parent_id = c.unit_id where c.depth < 8
    ), everything(unit_id, forms) as (
        select c.unit_id, c.forms from covered c
        union all
        select o.id, gr.forms from granted gr cross join organisation o where gr.whole_installation
    )
    select e.unit_id, e.forms from everything e join organisation o on o.id = e.unit_id
    where e.forms is null or o.kind <> 'SCHOOL_UNIT' or cardinality(o.school_forms) = 0 or o.school_forms && e.forms
$$;
