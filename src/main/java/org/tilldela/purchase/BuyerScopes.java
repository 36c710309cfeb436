package org.tilldela.purchase;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.CallerScope;

/** Which organisation each buyer account buys for; set by an administrator, audited. */
@Service
@Transactional
public class BuyerScopes {

    private final JdbcClient jdbc;
    private final OrganisationBrowser organisations;
    private final AdminAccounts accounts;
    private final AuditTrail audit;

    BuyerScopes(JdbcClient jdbc, OrganisationBrowser organisations, AdminAccounts accounts, AuditTrail audit) {
        this.jdbc = jdbc;
        this.organisations = organisations;
        this.accounts = accounts;
        this.audit = audit;
    }

    @Transactional(readOnly = true)
    public Optional<BuyerScope> of(String username) {
        return jdbc.sql("select username, organisation_id, organiser_id, set_by, set_at from buyer_scope where username = :u").param("u", username)
                .query(this::scope).optional();
    }

    /** The scope, or {@link NoBuyerScope}: a buyer without one cannot order. */
    @Transactional(readOnly = true)
    public BuyerScope require(String username) {
        return of(username).orElseThrow(() -> new NoBuyerScope(username));
    }

    @Transactional(readOnly = true)
    public List<BuyerScope> all() {
        return all(CallerScope.wholeInstallation());
    }

    /** The buyers a directory administrator sees ({@link #SEEN}): those buying for a unit within the grant. */
    @Transactional(readOnly = true)
    public List<BuyerScope> all(CallerScope caller) {
        return jdbc.sql("select b.username, b.organisation_id, b.organiser_id, b.set_by, b.set_at from buyer_scope b where " + SEEN.apply(caller)
                + " order by b.username").params(caller.params()).query(this::scope).list();
    }

    /** A buyer as a directory administrator's list shows it, and whether they may change it ({@link #settable}: the rule the changes are refused by). */
    public record Listed(BuyerScope scope, boolean mayChange) {
    }

    /**
     * {@link #all(CallerScope)} with, for each buyer, whether the caller may change (move or remove) it, worked out in the same SQL
     * as {@link #requireMayChange} does before a change: so the list offers the controls exactly where a change is not refused.
     */
    @Transactional(readOnly = true)
    public List<Listed> listed(CallerScope caller) {
        return jdbc.sql("select b.username, b.organisation_id, b.organiser_id, b.set_by, b.set_at, " + settable(caller, "b.organisation_id")
                        + " may_change from buyer_scope b where " + SEEN.apply(caller) + " order by b.username")
                .params(caller.params()).query((rs, n) -> new Listed(scope(rs, n), rs.getBoolean("may_change"))).list();
    }

    /**
     * Which buyers a directory administrator sees (alias {@code b} of {@code buyer_scope}): those whose organisation lies within
     * the grant. With a grant narrowed to school forms that includes a buyer for the organiser above the schools it covers: seen, not changed.
     */
    static final java.util.function.Function<CallerScope, String> SEEN = scope -> scope.unit("b.organisation_id");

    /**
     * Which organisations the administrator may let a buyer buy for, and whose buyers they may change: a buyer orders for
     * everyone at its organisation whatever their school form, so like a placement without a school form the organisation
     * lies within a grant only where that grant is not narrowed to school forms. A school's administrator: that school only.
     */
    static String settable(CallerScope scope, String column) {
        return scope.wholeUnit(column);
    }

    /** The administrator may not change this buyer: seen, but it buys for more than the grant covers (see {@link #settable}). */
    public static class NotYoursToSet extends RuntimeException {
        NotYoursToSet() {
            super("This buyer buys for an organisation that covers more than your grant: an administrator whose grant covers all of it changes it.");
        }
    }

    /**
     * Before a scoped administrator changes a buyer: the buyer's current scope, locked. Outside what the caller sees: {@link NotInScope}
     * (404: nobody learns it is there); seen but not theirs to change: {@link NotYoursToSet}. {@code mustExist}: a buyer without a
     * scope is not found either (removing); setting one for an account without a scope is fine.
     */
    private void requireMayChange(CallerScope caller, String username, boolean mustExist) {
        if (caller.isWholeInstallation()) {
            return;
        }
        record Current(boolean seen, boolean settable) {
        }
        Optional<Current> current = jdbc.sql("select " + SEEN.apply(caller) + ", " + settable(caller, "b.organisation_id")
                        + " from buyer_scope b where b.username = :u for update of b")
                .params(caller.params()).param("u", username).query((rs, n) -> new Current(rs.getBoolean(1), rs.getBoolean(2))).optional();
        if (current.isEmpty() ? mustExist : !current.get().seen()) {
            throw new NotInScope("No buyer " + username + " within your scope.");
        }
        if (current.isPresent() && !current.get().settable()) {
            throw new NotYoursToSet();
        }
    }

    /** Lets the account buy for this organisation (an organiser or a unit under one), replacing any earlier scope. */
    public BuyerScope set(String username, UUID organisationId, String actor) {
        return set(CallerScope.wholeInstallation(), username, organisationId, actor);
    }

    /**
     * {@link #set(String, UUID, String)} by a directory administrator exercising {@code caller}: the organisation must be one they
     * may let a buyer buy for ({@link #settable}), and a buyer already buying elsewhere one they see and may change; an
     * organisation outside the grant and one that does not exist alike: {@link NotInScope}.
     */
    public BuyerScope set(CallerScope caller, String username, UUID organisationId, String actor) {
        if (!caller.isWholeInstallation() && !jdbc.sql("select exists (select 1 from organisation o where o.id = :o and " + settable(caller, "o.id") + ")")
                .params(caller.params()).param("o", organisationId).query(Boolean.class).single()) {
            throw new NotInScope("No organisation " + organisationId + " within your scope.");
        }
        requireMayChange(caller, username, false);
        if (!accounts.exists(username)) {
            throw new IllegalArgumentException("There is no account " + username + ".");
        }
        List<OrganisationBrowser.UnitName> trail = organisations.ancestry(organisationId);
        if (trail.isEmpty()) {
            throw new IllegalArgumentException("There is no organisation " + organisationId + " in the directory.");
        }
        UUID organiser = trail.getFirst().id();
        jdbc.sql("""
                        insert into buyer_scope (username, organisation_id, organiser_id, set_by) values (:u, :o, :org, :by)
                        on conflict (username) do update set organisation_id = excluded.organisation_id, organiser_id = excluded.organiser_id,
                            set_by = excluded.set_by, set_at = now()
                        """)
                .param("u", username).param("o", organisationId).param("org", organiser).param("by", actor).update();
        audit.record(actor, "BUYER_SCOPE_SET", "buyer_scope", username, Map.of("organisation", organisationId.toString(), "organiser", organiser.toString()));
        return of(username).orElseThrow();
    }

    public void remove(String username, String actor) {
        remove(CallerScope.wholeInstallation(), username, actor);
    }

    /** Removes a buyer's scope the caller sees and may change; one they do not see (or none): {@link NotInScope}. */
    public void remove(CallerScope caller, String username, String actor) {
        requireMayChange(caller, username, true);
        if (jdbc.sql("delete from buyer_scope where username = :u").param("u", username).update() > 0) {
            audit.record(actor, "BUYER_SCOPE_REMOVED", "buyer_scope", username, Map.of());
        }
    }

    private BuyerScope scope(ResultSet rs, int n) throws SQLException {
        UUID org = rs.getObject("organisation_id", UUID.class);
        List<OrganisationBrowser.UnitName> trail = organisations.ancestry(org);
        String name = trail.isEmpty() ? org.toString() : trail.getLast().name();
        return new BuyerScope(rs.getString("username"), org, name, rs.getObject("organiser_id", UUID.class), rs.getString("set_by"),
                rs.getTimestamp("set_at").toInstant());
    }
}
