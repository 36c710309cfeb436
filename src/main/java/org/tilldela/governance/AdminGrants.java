package org.tilldela.governance;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Grants: account × right × {@link GrantScope}. Handed out and taken back by accounts holding
 * {@link AdminRight#ACCOUNT_ADMIN}, never beyond what the granting account holds itself: to grant a right
 * over a scope it must hold both that right and ACCOUNT_ADMIN over a scope that covers it (a unit it covers,
 * in every school form asked for). Every grant and revocation is audited.
 */
@Service
@Transactional
public class AdminGrants {

    /** {@code rule}: the duty rule that derived this grant ({@link DutyGrants}), null for a grant given by hand. */
    public record Grant(long id, String username, AdminRight right, boolean wholeInstallation, List<UUID> organisations, List<String> schoolForms,
                        String grantedBy, Instant grantedAt, Long rule) {

        public GrantScope scope() {
            return new GrantScope(wholeInstallation, Set.copyOf(organisations), Set.copyOf(schoolForms));
        }
    }

    /** The granting account may not hand this out: it does not hold the right (and ACCOUNT_ADMIN) over the whole scope asked for. */
    public static class GrantRefused extends RuntimeException {
        GrantRefused(AdminRight right) {
            super("You can grant " + right + " only within a scope where you hold both " + right
                    + " and ACCOUNT_ADMIN yourself (every unit asked for, in every school form asked for).");
        }

        GrantRefused(String message) {
            super(message);
        }
    }

    /** The account signs in through another organiser's identity provider: only that organiser's account administrator gives it rights. */
    public static final class BoundElsewhere extends GrantRefused {
        BoundElsewhere() {
            super("The account signs in through another organiser's identity provider (bound to it): only an account administrator of "
                    + "that organiser gives it rights. Unbind it first, or ask them.");
        }
    }

    private final JdbcClient jdbc;
    private final AuditTrail audit;

    AdminGrants(JdbcClient jdbc, AuditTrail audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    private static final String GRANT_SELECT = """
            select g.id, g.username, g.right_name, g.whole_installation, g.school_forms, g.granted_by, g.granted_at, g.rule_id,
                   array(select u.organisation_id from admin_grant_unit u where u.grant_id = g.id order by u.organisation_id) organisations
            from admin_grant g
            """;

    @Transactional(readOnly = true)
    public List<Grant> of(String username) {
        return jdbc.sql(GRANT_SELECT + " where g.username = :u order by g.right_name, g.id").param("u", username).query(this::grant).list();
    }

    @Transactional(readOnly = true)
    public Optional<Grant> find(long id) {
        return jdbc.sql(GRANT_SELECT + " where g.id = :id").param("id", id).query(this::grant).optional();
    }

    /** For the first administrator and bootstrap accounts only: no check, whole installation, every school form. */
    void grantWholeInstallation(String username, AdminRight right, String grantedBy) {
        jdbc.sql("insert into admin_grant (username, right_name, whole_installation, granted_by) values (:u, :r, true, :by)")
                .param("u", username).param("r", right.name()).param("by", grantedBy).update();
    }

    /**
     * Grants {@code right} over {@code scope} to {@code username}, if {@code actor} may: see the class comment.
     * The account must exist (the caller checks it is within the actor's reach first).
     */
    public Grant grant(String actor, String username, AdminRight right, GrantScope scope) {
        long known = jdbc.sql("select count(*) from school_form where code = any(cast(:forms as text[]))")
                .param("forms", scope.schoolForms().toArray(String[]::new)).query(Long.class).single();
        if (known != scope.schoolForms().size()) {
            throw new IllegalArgumentException("Unknown school form among " + new TreeSet<>(scope.schoolForms()) + ": use the codes of the school forms (FS, GR, …).");
        }
        if (actor.equals(username)) {
            // one's rights come from another account administrator (or a duty rule, which ends with the duty): a right
            // granted to oneself — a copy of one a duty gave, say — would outlive the duty
            throw new GrantRefused("Your own account's rights are given by another account administrator.");
        }
        if (!mayGrant(actor, right, scope)) {
            throw new GrantRefused(right);
        }
        if (!mayGiveTo(actor, username)) {
            throw new BoundElsewhere();
        }
        long id = jdbc.sql("""
                        insert into admin_grant (username, right_name, whole_installation, school_forms, granted_by)
                        values (:u, :r, :whole, cast(:forms as text[]), :by) returning id
                        """)
                .param("u", username).param("r", right.name()).param("whole", scope.wholeInstallation())
                .param("forms", new TreeSet<>(scope.schoolForms()).toArray(String[]::new)).param("by", actor).query(Long.class).single();
        for (UUID unit : scope.organisations()) {
            jdbc.sql("insert into admin_grant_unit (grant_id, organisation_id) values (:g, :o)").param("g", id).param("o", unit).update();
        }
        audit.record(actor, "ADMIN_RIGHT_GRANTED", "admin_account", username, detail(id, right, scope));
        return find(id).orElseThrow();
    }

    /**
     * Takes a grant back, if {@code actor} could have granted it; answers false (nothing done) otherwise or when there is
     * no such grant. Not a grant a duty rule derived: the next evaluation would give it back, so it is taken back by
     * removing the rule or unlinking the account ({@link DutyGrants}).
     */
    public boolean revoke(String actor, String username, long grantId) {
        Optional<Grant> grant = find(grantId).filter(g -> g.username().equals(username) && g.rule() == null);
        if (grant.isEmpty() || !mayGrant(actor, grant.get().right(), grant.get().scope())) {
            return false;
        }
        jdbc.sql("delete from admin_grant where id = :id").param("id", grantId).update();
        audit.record(actor, "ADMIN_RIGHT_REVOKED", "admin_account", username, detail(grantId, grant.get().right(), grant.get().scope()));
        return true;
    }

    /**
     * The unit {@code :o} and the units below it, as {@code below(id)}: as admin_scope_units walks, at most 8 levels (an
     * access review's reach).
     */
    static final String UNIT_AND_BELOW = """
            with recursive below(id, depth) as (
                select cast(:o as uuid), 0
                union all
                select c.id, b.depth + 1 from below b join organisation c on c.parent_id = b.id where b.depth < 8
            )
            """;

    /**
     * Takes a grant back because an access review of {@code reviewedUnit} said so (its reviewer, or the review job at the
     * deadline): the reviewer need not hold the right, so the granting rule does not apply — and so only the grant's units
     * at or below the reviewed unit go (as admin_scope_units walks: at most 8 levels); a grant also over units elsewhere
     * keeps those, which were not the review's to decide. Audited as every revocation, naming the review and the units
     * taken back. False when the grant is gone already (or holds no unit the review reached any more).
     */
    boolean revokeByReview(String actor, long grantId, long reviewId, UUID reviewedUnit, String reason) {
        Optional<Grant> grant = find(grantId);
        if (grant.isEmpty()) {
            return false;
        }
        List<UUID> reached = jdbc.sql(UNIT_AND_BELOW + """
                        select u.organisation_id from admin_grant_unit u where u.grant_id = :g and u.organisation_id in (select id from below)
                        """).param("o", reviewedUnit).param("g", grantId).query(UUID.class).list();
        if (reached.isEmpty()) {
            return false;
        }
        boolean whole = reached.size() == grant.get().scope().organisations().size();
        if (whole) {
            jdbc.sql("delete from admin_grant where id = :id").param("id", grantId).update();
        } else {
            jdbc.sql("delete from admin_grant_unit where grant_id = :g and organisation_id = any(:units)").param("g", grantId)
                    .param("units", reached.toArray(UUID[]::new)).update();
        }
        Map<String, Object> detail = new java.util.LinkedHashMap<>(detail(grantId, grant.get().right(), grant.get().scope()));
        if (!whole) {
            detail.put("unitsTakenBack", reached.stream().map(UUID::toString).sorted().toList());
        }
        detail.put("accessReview", reviewId);
        detail.put("reason", reason);
        audit.record(actor, "ADMIN_RIGHT_REVOKED", "admin_account", grant.get().username(), detail);
        return true;
    }

    /**
     * A grant a duty rule derives ({@link DutyGrants}): over one unit, every school form, in the rule author's name
     * (the caller has checked the author may grant it). Audited with the rule and why.
     */
    long grantDerived(String actor, String username, AdminRight right, UUID unit, long rule, Map<String, ?> why) {
        long id = jdbc.sql("""
                        insert into admin_grant (username, right_name, whole_installation, granted_by, rule_id)
                        values (:u, :r, false, :by, :rule) returning id
                        """).param("u", username).param("r", right.name()).param("by", actor).param("rule", rule).query(Long.class).single();
        jdbc.sql("insert into admin_grant_unit (grant_id, organisation_id) values (:g, :o)").param("g", id).param("o", unit).update();
        Map<String, Object> detail = new java.util.LinkedHashMap<>(detail(id, right, GrantScope.units(Set.of(unit), Set.of())));
        detail.put("rule", rule);
        detail.putAll(why);
        audit.record(actor, "ADMIN_RIGHT_GRANTED", "admin_account", username, detail);
        return id;
    }

    /** Takes back a grant a duty rule derived, because the rule no longer gives it (audited, with why). False when it is gone already. */
    boolean revokeDerived(String actor, long grantId, Map<String, ?> why) {
        Optional<Grant> grant = find(grantId);
        if (grant.isEmpty()) {
            return false;
        }
        jdbc.sql("delete from admin_grant where id = :id").param("id", grantId).update();
        Map<String, Object> detail = new java.util.LinkedHashMap<>(detail(grantId, grant.get().right(), grant.get().scope()));
        detail.put("rule", grant.get().rule());
        detail.putAll(why);
        audit.record(actor, "ADMIN_RIGHT_REVOKED", "admin_account", grant.get().username(), detail);
        return true;
    }

    /**
     * May {@code actor} give the account rights at all? An account bound to an organiser's identity provider is signed in
     * by that provider: a right given to it is given to whoever that provider says is its subject. So only an account
     * administrator of that organiser gives one — by hand or by a duty rule it wrote — else an administrator elsewhere
     * could bind an account made (still without rights) at another organiser to their own provider, and sign in with
     * the rights given to it there afterwards.
     */
    @Transactional(readOnly = true)
    public boolean mayGiveTo(String actor, String username) {
        List<UUID> boundTo = jdbc.sql("select upstream_organiser_id from admin_account where username = :u and upstream_organiser_id is not null")
                .param("u", username).query(UUID.class).list();
        return boundTo.isEmpty() || covers(actor, AdminRight.ACCOUNT_ADMIN, GrantScope.units(Set.of(boundTo.getFirst()), Set.of()));
    }

    /** May {@code actor} hand out {@code right} over {@code scope}: it holds the right and ACCOUNT_ADMIN over all of it. */
    @Transactional(readOnly = true)
    public boolean mayGrant(String actor, AdminRight right, GrantScope scope) {
        return covers(actor, right, scope) && covers(actor, AdminRight.ACCOUNT_ADMIN, scope);
    }

    /**
     * As {@link #mayGrant}, by the actor's grants given by hand only: what a duty rule's author must hold for the rule to
     * reach anyone (a grant the rules derived would otherwise keep up its own rule, after the right it rested on went).
     */
    @Transactional(readOnly = true)
    public boolean mayGrantByHand(String actor, AdminRight right, GrantScope scope) {
        return covers(actor, right, scope, true) && covers(actor, AdminRight.ACCOUNT_ADMIN, scope, true);
    }

    /**
     * May the actor manage that account at all: the actor holds ACCOUNT_ADMIN now (a web session's rights are those of
     * its sign-in: one whose right was revoked since must not manage an account without grants, within anyone's reach),
     * and every grant the account holds is within what the actor could grant.
     */
    @Transactional(readOnly = true)
    public boolean withinReach(String actor, String username) {
        return holdsAnywhere(actor, AdminRight.ACCOUNT_ADMIN) && grantsWithin(actor, username);
    }

    /** Every grant the account holds is within what {@code actor} could grant (the second half of {@link #withinReach}). */
    boolean grantsWithin(String actor, String username) {
        return of(username).stream().allMatch(g -> mayGrant(actor, g.right(), g.scope()));
    }

    /** Does the account, enabled, hold the right now, anywhere? */
    @Transactional(readOnly = true)
    public boolean holdsAnywhere(String account, AdminRight right) {
        return jdbc.sql("""
                        select exists (select 1 from admin_grant g join admin_account a on a.username = g.username
                                       where g.username = :u and g.right_name = :r and a.enabled)""")
                .param("u", account).param("r", right.name()).query(Boolean.class).single();
    }

    /**
     * Does {@code account} hold {@code right} over all of {@code scope}? The whole installation only through a
     * whole-installation grant (in the forms asked for); units through {@code admin_scope_units}, each unit
     * in each form asked for (or unnarrowed, when none is asked for).
     */
    boolean covers(String account, AdminRight right, GrantScope scope) {
        return covers(account, right, scope, false);
    }

    /** {@code byHand}: counting the grants given by hand only, not those duty rules derived. */
    private boolean covers(String account, AdminRight right, GrantScope scope, boolean byHand) {
        String[] forms = new TreeSet<>(scope.schoolForms()).toArray(String[]::new);
        if (scope.wholeInstallation()) {
            return jdbc.sql("""
                            select exists (select 1 from admin_grant g join admin_account a on a.username = g.username
                                           where g.username = :u and g.right_name = :r and a.enabled and g.whole_installation
                                             and (not :byHand or g.rule_id is null)
                                             and (cardinality(g.school_forms) = 0 or (cardinality(cast(:forms as text[])) > 0 and g.school_forms @> cast(:forms as text[]))))
                            """).param("u", account).param("r", right.name()).param("forms", forms).param("byHand", byHand).query(Boolean.class).single();
        }
        return jdbc.sql("""
                        with covered as (select unit_id, forms from %s(:u, :r))
                        select not exists (
                            select 1 from unnest(cast(:units as uuid[])) asked(unit_id)
                            cross join unnest(case when cardinality(cast(:forms as text[])) = 0 then array[null::text] else cast(:forms as text[]) end) f(form)
                            where not exists (select 1 from covered c where c.unit_id = asked.unit_id
                                              and (c.forms is null or (f.form is not null and f.form = any(c.forms)))))
                        """.formatted(byHand ? "admin_scope_units_given_by_hand" : "admin_scope_units")).param("u", account).param("r", right.name()).param("forms", forms)
                .param("units", scope.organisations().toArray(UUID[]::new)).query(Boolean.class).single();
    }

    /** A unit to grant over, with the name of the unit above it (null for an organiser). */
    public record Unit(UUID id, String name, String kind, String parentName) {
    }

    /**
     * The organisers and school units within {@code actor}'s ACCOUNT_ADMIN scope whose name holds the words (folded as the
     * directory folds names: "ostra" finds Östra skolan), by name, at most {@code limit}, each with the unit above it:
     * what the grant form's and the access reviews' pickers offer. Fewer than two letters find nothing.
     */
    @Transactional(readOnly = true)
    public List<Unit> grantableUnits(String actor, String words, int limit) {
        String q = words == null ? "" : words.strip();
        if (q.length() < 2) {
            return List.of();
        }
        return jdbc.sql("""
                        select o.id, o.name, o.kind, up.name from organisation o left join organisation up on up.id = o.parent_id
                        where o.kind in ('ORGANISER', 'SCHOOL_UNIT') and o.id in (select unit_id from admin_scope_units(:u, 'ACCOUNT_ADMIN'))
                          and search_fold(o.name) like ('%' || replace(replace(replace(search_fold(cast(:q as text)), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')
                        order by o.name, up.name limit :limit
                        """).param("u", actor).param("q", q).param("limit", limit)
                .query((rs, n) -> new Unit(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4))).list();
    }

    /** The units named, within {@code actor}'s ACCOUNT_ADMIN scope (an id beyond it is left out), each with the unit above it. */
    @Transactional(readOnly = true)
    public List<Unit> grantableUnits(String actor, java.util.Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("""
                        select o.id, o.name, o.kind, up.name from organisation o left join organisation up on up.id = o.parent_id
                        where o.id = any(cast(:ids as uuid[])) and o.kind in ('ORGANISER', 'SCHOOL_UNIT')
                          and o.id in (select unit_id from admin_scope_units(:u, 'ACCOUNT_ADMIN'))
                        order by o.name
                        """).param("u", actor).param("ids", ids.toArray(UUID[]::new))
                .query((rs, n) -> new Unit(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4))).list();
    }

    /** Names of organisation units, for showing grants ("?" for one no longer in the directory). */
    @Transactional(readOnly = true)
    public Map<UUID, String> unitNames(java.util.Collection<UUID> ids) {
        Map<UUID, String> names = new java.util.HashMap<>();
        ids.forEach(id -> names.put(id, "?"));
        if (!ids.isEmpty()) {
            jdbc.sql("select id, name from organisation where id = any(cast(:ids as uuid[]))").param("ids", ids.toArray(UUID[]::new))
                    .query(rs -> {
                        names.put(rs.getObject(1, UUID.class), rs.getString(2));
                    });
        }
        return names;
    }

    /** A school form a grant can be narrowed to, named in the three languages of the UI. */
    public record SchoolForm(String code, String nameSv, String nameDa, String nameEn) {
        public String name(java.util.Locale locale) {
            return switch (locale.getLanguage()) {
                case "sv" -> nameSv;
                case "da" -> nameDa;
                default -> nameEn;
            };
        }
    }

    @Transactional(readOnly = true)
    public List<SchoolForm> schoolForms() {
        return jdbc.sql("select code, name_sv, name_da, name_en from school_form order by sort_order")
                .query((rs, n) -> new SchoolForm(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4))).list();
    }

    private static Map<String, Object> detail(long id, AdminRight right, GrantScope scope) {
        // ids and codes only, as everywhere in the audit trail
        return Map.of("grant", id, "right", right.name(), "wholeInstallation", scope.wholeInstallation(),
                "organisations", scope.organisations().stream().map(UUID::toString).sorted().toList(),
                "schoolForms", scope.schoolForms().stream().sorted().toList());
    }

    private Grant grant(ResultSet rs, int n) throws SQLException {
        Array forms = rs.getArray("school_forms");
        Array units = rs.getArray("organisations");
        return new Grant(rs.getLong("id"), rs.getString("username"), AdminRight.valueOf(rs.getString("right_name")), rs.getBoolean("whole_installation"),
                units == null ? List.of() : List.of((UUID[]) units.getArray()), forms == null ? List.of() : List.of((String[]) forms.getArray()),
                rs.getString("granted_by"), rs.getTimestamp("granted_at").toInstant(), rs.getObject("rule_id", Long.class));
    }
}
