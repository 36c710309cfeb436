package org.tilldela.governance;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Grants from HR data: a rule grants a right to whoever holds a duty in a role (as the directory's imports store
 * it: PRINCIPAL, TEACHER, …) at a unit within the rule's unit — over the unit of that duty. "Whoever" is an
 * administrator account linked to the directory person ({@link #linkPerson}); the grants a rule gives are derived
 * ({@link AdminGrants.Grant#rule()}) and re-evaluated after every import ({@link #reconcile}), when a rule is made
 * or removed, when an account is linked, and hourly (a duty's end date passes without an import; an author loses a
 * right; an account is disabled): a leaver loses theirs, a mover the old unit's and gets the new one's.
 *
 * <p>A rule grants in its author's name and never beyond what the author could grant by hand ({@link
 * AdminGrants#mayGrant}), checked at every evaluation: an author who loses a right loses their rules' reach with it.
 * Every derived grant and revocation is audited (actor {@value #ACTOR}, naming the rule and why).
 *
 * <p>Governance reads the directory's duty, person and organisation tables in SQL, as {@code admin_scope_units}
 * does: the directory module depends on governance, not the other way round.
 */
@Service
@Transactional
public class DutyGrants {

    static final String ACTOR = "duty-rules";

    /** The duty roles the imports store (SS 12000's dutyRole and OneRoster's roles, mapped), for the rule form. */
    public static final List<String> DUTY_ROLES = List.of("PRINCIPAL", "ADMINISTRATOR", "TEACHER", "PRESCHOOL_TEACHER", "COUNSELLOR", "AIDE",
            "PROCTOR", "OTHER_STAFF");

    public record Rule(long id, String dutyRole, AdminRight right, UUID organisation, String unitName, String createdBy, Instant createdAt,
                       int grants) {
    }

    /** A person an account may be linked to, as the picker lists them: staff within the actor's scope, by name, with their units. */
    public record StaffMember(UUID id, String name, String units) {
    }

    /** What one evaluation changed. */
    public record Reconciled(int granted, int revoked) {
    }

    /** The rule is not there for this account: outside its scope, or no such rule. */
    public static class NoSuchRule extends RuntimeException {
        NoSuchRule() {
            super("no such rule");
        }
    }

    private final JdbcClient jdbc;
    private final AdminGrants grants;
    private final AuditTrail audit;
    private final Scopes scopes;
    private final Clock clock;

    DutyGrants(JdbcClient jdbc, AdminGrants grants, AuditTrail audit, Scopes scopes, Optional<Clock> clock) {
        this.jdbc = jdbc;
        this.grants = grants;
        this.audit = audit;
        this.scopes = scopes;
        this.clock = clock.orElse(Clock.systemDefaultZone());
    }

    /**
     * A rule: {@code right} over the unit of every duty in {@code dutyRole} at {@code unit} or below. Only an account
     * that could grant the right over the unit by hand makes it ({@link AdminGrants.GrantRefused} otherwise); it takes
     * effect at once for the duties already imported.
     */
    public Rule create(String actor, String dutyRole, AdminRight right, UUID unit) {
        if (dutyRole == null || !DUTY_ROLES.contains(dutyRole)) {
            throw new IllegalArgumentException("Unknown duty role " + dutyRole + ": one of " + DUTY_ROLES + ".");
        }
        if (right == null || unit == null) {
            throw new IllegalArgumentException("A rule needs a right and an organisation unit.");
        }
        // by the rights given the author by hand: a rule resting on grants rules derived would never reach anyone
        if (!grants.mayGrantByHand(actor, right, GrantScope.units(Set.of(unit), Set.of()))) {
            throw new AdminGrants.GrantRefused(right);
        }
        long id = jdbc.sql("""
                        insert into duty_grant_rule (duty_role, right_name, organisation_id, created_by) values (:role, :right, :o, :by) returning id
                        """).param("role", dutyRole).param("right", right.name()).param("o", unit).param("by", actor).query(Long.class).single();
        audit.record(actor, "DUTY_RULE_CREATED", "duty_grant_rule", Long.toString(id),
                Map.of("dutyRole", dutyRole, "right", right.name(), "organisation", unit.toString()));
        reconcile("RULE_CREATED", null);
        return rule(id).orElseThrow();
    }

    /** Removes a rule and every grant it gave (each revocation audited); only by an account that could have made it. */
    public void remove(String actor, long id) {
        Rule rule = find(actor, id);
        if (!grants.mayGrant(actor, rule.right(), GrantScope.units(Set.of(rule.organisation()), Set.of()))) {
            throw new AdminGrants.GrantRefused(rule.right());
        }
        lock();
        for (long grant : jdbc.sql("select id from admin_grant where rule_id = :r order by id").param("r", id).query(Long.class).list()) {
            grants.revokeDerived(ACTOR, grant, Map.of("reason", "RULE_REMOVED"));
        }
        jdbc.sql("delete from duty_grant_rule where id = :id").param("id", id).update();
        audit.record(actor, "DUTY_RULE_REMOVED", "duty_grant_rule", Long.toString(id),
                Map.of("dutyRole", rule.dutyRole(), "right", rule.right().name(), "organisation", rule.organisation().toString()));
    }

    /**
     * {@code reached}: each rule with each person holding a duty today ({@code :today}) in its role at its unit or below,
     * and the unit of that duty — what the rule gives the person's account. Every evaluation and every link check starts
     * from it.
     */
    private static final String RULES_REACH = """
            with recursive below(rule_id, unit_id, depth) as (
                select r.id, r.organisation_id, 0 from duty_grant_rule r
                union all
                select b.rule_id, o.id, b.depth + 1 from below b join organisation o on o.parent_id = b.unit_id where b.depth < 8
            ), reached as (
                select r.id rule_id, r.right_name, r.created_by author, d.person_id, d.organisation_id unit_id
                from below b join duty_grant_rule r on r.id = b.rule_id
                join duty d on d.organisation_id = b.unit_id and d.role = r.duty_role
                           and (d.start_date is null or d.start_date <= :today) and (d.end_date is null or d.end_date >= :today)
            )
            """;

    private static final String RULE_SELECT = """
            select r.id, r.duty_role, r.right_name, r.organisation_id, coalesce(o.name, '?') unit_name, r.created_by, r.created_at,
                   (select count(*) from admin_grant g where g.rule_id = r.id) grants
            from duty_grant_rule r left join organisation o on o.id = r.organisation_id
            """;

    private Optional<Rule> rule(long id) {
        return jdbc.sql(RULE_SELECT + " where r.id = :id").param("id", id).query(DutyGrants::rule).optional();
    }

    /** The rules over units within {@code actor}'s ACCOUNT_ADMIN scope (not narrowed to school forms), by unit and role. */
    @Transactional(readOnly = true)
    public List<Rule> visibleTo(String actor) {
        return jdbc.sql(RULE_SELECT + """
                         where r.organisation_id in (select unit_id from admin_scope_units(:u, 'ACCOUNT_ADMIN') where forms is null)
                        order by lower(o.name), r.duty_role, r.right_name, r.id
                        """).param("u", actor).query(DutyGrants::rule).list();
    }

    @Transactional(readOnly = true)
    public Rule find(String actor, long id) {
        return rule(id).filter(r -> grants.covers(actor, AdminRight.ACCOUNT_ADMIN, GrantScope.units(Set.of(r.organisation()), Set.of())))
                .orElseThrow(NoSuchRule::new);
    }

    /**
     * Brings every rule's grants in line with the duties held today: grants what a rule gives and nobody holds yet,
     * revokes what a rule gave and no longer gives (the duty ended or moved, the account was unlinked, the author may
     * no longer grant it). One evaluation at a time across nodes (an advisory lock), so two imports finishing together
     * do not grant twice. {@code trigger} and {@code importRun} go into the audit trail.
     */
    public Reconciled reconcile(String trigger, UUID importRun) {
        lock();
        record Key(long rule, String username, UUID unit) {
        }
        record Wanted(Key key, AdminRight right, String author) {
        }
        List<Wanted> wanted = jdbc.sql(RULES_REACH + """
                        select distinct x.rule_id, a.username, x.unit_id, x.right_name, x.author
                        from reached x join admin_account a on a.person_id = x.person_id and a.enabled
                        order by x.rule_id, a.username, x.unit_id
                        """).param("today", LocalDate.now(clock))
                .query((rs, n) -> new Wanted(new Key(rs.getLong(1), rs.getString(2), rs.getObject(3, UUID.class)), AdminRight.valueOf(rs.getString(4)),
                        rs.getString(5))).list();
        Map<Key, Long> held = new HashMap<>();
        jdbc.sql("""
                        select g.id, g.rule_id, g.username, u.organisation_id from admin_grant g join admin_grant_unit u on u.grant_id = g.id
                        where g.rule_id is not null order by g.id
                        """).query(rs -> {
            held.put(new Key(rs.getLong(2), rs.getString(3), rs.getObject(4, UUID.class)), rs.getLong(1));
        });
        Map<String, Object> why = new LinkedHashMap<>();
        why.put("trigger", trigger);
        if (importRun != null) {
            why.put("importRun", importRun.toString());
        }
        Map<List<Object>, Boolean> mayCache = new HashMap<>();
        // the rule's author must be able to grant it by hand, by rights given them by hand (not derived by rules: a rule
        // would keep its author's own derived grant up after the right it rested on was revoked): the right over the
        // unit, and (an account bound to an organiser's provider) be that organiser's account administrator (mayGiveTo)
        List<Wanted> allowed = wanted.stream().filter(w -> mayCache.computeIfAbsent(List.of(w.author(), w.right(), w.key().unit()),
                k -> grants.mayGrantByHand(w.author(), w.right(), GrantScope.units(Set.of(w.key().unit()), Set.of())))
                && mayCache.computeIfAbsent(List.of(w.author(), w.key().username()), k -> grants.mayGiveTo(w.author(), w.key().username()))).toList();
        Set<Key> keep = new java.util.HashSet<>();
        allowed.forEach(w -> keep.add(w.key()));
        // what goes first, then what comes: a mover's trail reads "old unit revoked, new unit granted"
        int revoked = 0;
        for (Map.Entry<Key, Long> h : held.entrySet().stream().sorted(Map.Entry.comparingByValue()).toList()) {
            if (!keep.contains(h.getKey())) {
                Map<String, Object> detail = new LinkedHashMap<>(why);
                detail.put("reason", "DUTY_NOT_HELD");
                revoked += grants.revokeDerived(ACTOR, h.getValue(), detail) ? 1 : 0;
            }
        }
        int granted = 0;
        for (Wanted w : allowed) {
            if (!held.containsKey(w.key())) {
                Map<String, Object> detail = new LinkedHashMap<>(why);
                detail.put("reason", "DUTY_HELD");
                detail.put("ruleAuthor", w.author());
                grants.grantDerived(ACTOR, w.key().username(), w.right(), w.key().unit(), w.key().rule(), detail);
                granted++;
            }
        }
        return new Reconciled(granted, revoked);
    }

    private void lock() {
        // one evaluation at a time, across nodes; held to the end of the transaction
        jdbc.sql("select pg_advisory_xact_lock(hashtext('tilldela.duty-grants'))").query(Object.class).single();
    }

    /**
     * Says which directory person {@code username} is (null: none), so rules follow that person's duties to the
     * account. The actor must manage the account, and the person must be on duty within the actor's ACCOUNT_ADMIN
     * scope (otherwise as if there were no such person: false). What the rules would give the account, the actor must be
     * able to grant by hand, and nobody links their own account ({@link AdminGrants.GrantRefused} otherwise). Audited;
     * the rules are evaluated at once.
     */
    public boolean linkPerson(String actor, String username, UUID person) {
        if (!grants.withinReach(actor, username) || jdbc.sql("select count(*) from admin_account where username = :u").param("u", username)
                .query(Long.class).single() == 0) {
            return false;
        }
        if (person != null) {
            CallerScope scope = scopes.of(actor, AdminRight.ACCOUNT_ADMIN);
            boolean onDuty = jdbc.sql("select exists (select 1 from duty d where d.person_id = :p and " + scope.duty("d") + ")")
                    .params(scope.params()).param("p", person).query(Boolean.class).single();
            if (!onDuty) {
                return false;
            }
            if (jdbc.sql("select count(*) from admin_account where person_id = :p and username <> :u").param("p", person).param("u", username)
                    .query(Long.class).single() > 0) {
                throw new IllegalArgumentException("That person is linked to another account already.");
            }
            // a link gives what the rules give the person: never more than the linker could grant by hand, and never to
            // the linker's own account (anyone could otherwise pose as a principal and take the principal's rights)
            List<Object[]> given = jdbc.sql(RULES_REACH + "select distinct x.right_name, x.unit_id from reached x where x.person_id = :p")
                    .param("today", LocalDate.now(clock)).param("p", person).query((rs, n) -> new Object[] {rs.getString(1), rs.getObject(2, UUID.class)})
                    .list();
            for (Object[] g : given) {
                AdminRight right = AdminRight.valueOf((String) g[0]);
                if (actor.equals(username) || !grants.mayGrant(actor, right, GrantScope.units(Set.of((UUID) g[1]), Set.of()))) {
                    throw new AdminGrants.GrantRefused(right);
                }
            }
            if (actor.equals(username) && given.isEmpty()) {
                throw new AdminGrants.GrantRefused(AdminRight.ACCOUNT_ADMIN);
            }
        }
        try {
            jdbc.sql("update admin_account set person_id = :p where username = :u").param("p", person).param("u", username).update();
        } catch (org.springframework.dao.DuplicateKeyException e) {
            // linked to another account meanwhile (the unique index decides between two links at once)
            throw new IllegalArgumentException("That person is linked to another account already.");
        }
        // the person by id only, as everywhere in the audit trail
        audit.record(actor, person == null ? "ADMIN_ACCOUNT_PERSON_UNLINKED" : "ADMIN_ACCOUNT_PERSON_LINKED", "admin_account", username,
                person == null ? Map.of() : Map.of("person", person.toString()));
        reconcile(person == null ? "ACCOUNT_UNLINKED" : "ACCOUNT_LINKED", null);
        return true;
    }

    /** The id of the person an account is linked to, if any. */
    @Transactional(readOnly = true)
    public Optional<UUID> linkedPersonId(String username) {
        return jdbc.sql("select person_id from admin_account where username = :u and person_id is not null").param("u", username).query(UUID.class).optional();
    }

    /**
     * The person an account is linked to, named (masked as "protected" when the person's identity is protected), with the
     * units they are on duty at that {@code viewer} may see (their ACCOUNT_ADMIN scope). A protected person shown, even
     * masked, is in the audit trail, as wherever the directory shows one.
     */
    @Transactional
    public Optional<StaffMember> linkedPerson(String username, String viewer) {
        CallerScope scope = scopes.of(viewer, AdminRight.ACCOUNT_ADMIN);
        Optional<StaffMember> linked = jdbc.sql("""
                        select p.id, case when p.protection = 'NONE' then p.family_name || ', ' || p.given_name end name,
                        """ + unitsWithin(scope) + """
                        from admin_account a join person p on p.id = a.person_id where a.username = :u
                        """).params(scope.params()).param("u", username)
                .query((rs, n) -> new StaffMember(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3))).optional();
        linked.filter(p -> p.name() == null).ifPresent(p -> audit.record(viewer, "VIEW_PROTECTED_PERSON", "person", p.id().toString(),
                Map.of("in", "admin_account", "id", username, "masked", true)));
        return linked;
    }

    /**
     * Staff (persons on duty) within {@code actor}'s ACCOUNT_ADMIN scope whose name starts as typed, for linking an
     * account, with the units within that scope they are on duty at. Persons with a protected identity are left out: their
     * names are not for a picker.
     */
    @Transactional(readOnly = true)
    public List<StaffMember> staff(String actor, String query) {
        if (query == null || query.isBlank()) {
            return List.of();
        }
        CallerScope scope = scopes.of(actor, AdminRight.ACCOUNT_ADMIN);
        return jdbc.sql("""
                        select p.id, p.family_name || ', ' || p.given_name,
                        """ + unitsWithin(scope) + """
                        from person p
                        where p.protection = 'NONE'
                          and (search_fold(p.family_name || ' ' || p.given_name) like search_fold(:q) || '%'
                               or search_fold(p.given_name || ' ' || p.family_name) like search_fold(:q) || '%')
                          and exists (select 1 from duty d where d.person_id = p.id and\s""" + scope.duty("d") + """
                        )
                        order by p.family_name, p.given_name, p.id limit 20
                        """).params(scope.params()).param("q", query.strip().replace("%", "").replace("_", ""))
                .query((rs, n) -> new StaffMember(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3))).list();
    }

    /**
     * The names of the units person {@code p} is on duty at, of those within {@code scope} only: a person on duty at two
     * organisers does not tell one organiser's administrator where else they work.
     */
    private static String unitsWithin(CallerScope scope) {
        return """
                (select string_agg(distinct o.name, ', ') from duty d join organisation o on o.id = d.organisation_id
                 where d.person_id = p.id and\s""" + scope.duty("d") + ") units\n";
    }

    private static Rule rule(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        Timestamp created = rs.getTimestamp("created_at");
        return new Rule(rs.getLong("id"), rs.getString("duty_role"), AdminRight.valueOf(rs.getString("right_name")), rs.getObject("organisation_id", UUID.class),
                rs.getString("unit_name"), rs.getString("created_by"), created.toInstant(), rs.getInt("grants"));
    }
}
