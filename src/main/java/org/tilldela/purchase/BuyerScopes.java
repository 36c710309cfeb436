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
        return jdbc.sql("select username, organisation_id, organiser_id, set_by, set_at from buyer_scope order by username").query(this::scope).list();
    }

    /** Lets the account buy for this organisation (an organiser or a unit under one), replacing any earlier scope. */
    public BuyerScope set(String username, UUID organisationId, String actor) {
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
