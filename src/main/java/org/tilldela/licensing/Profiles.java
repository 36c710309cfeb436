package org.tilldela.licensing;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.catalog.Catalog;
import org.tilldela.governance.AuditTrail;

/**
 * Profiles: named bundles of products for a kind of person ("teacher, grundskola", "pupil, year 7"),
 * handed out by their rules ("standard packages"). A person a profile rule picks gets each of the
 * profile's products from a pool of it whose scope covers them — the pool they already have it from, else
 * the oldest — unless a pool's own rules already give it to them.
 */
@Service
@Transactional
public class Profiles {

    public record Profile(UUID id, String name, List<UUID> productIds, String createdBy, Instant createdAt) {
    }

    private final JdbcClient jdbc;
    private final LicencePools pools;
    private final Reconciler reconciler;
    private final AuditTrail audit;
    private final Catalog catalog;

    Profiles(JdbcClient jdbc, LicencePools pools, Reconciler reconciler, AuditTrail audit, Catalog catalog) {
        this.catalog = catalog;
        this.jdbc = jdbc;
        this.pools = pools;
        this.reconciler = reconciler;
        this.audit = audit;
    }

    public UUID create(String name, Collection<UUID> productIds, String actor) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a profile needs a name");
        }
        if (jdbc.sql("select exists (select 1 from licence_profile where name = :n)").param("n", name.strip()).query(Boolean.class).single()) {
            throw new IllegalArgumentException("a profile named " + name.strip() + " exists already");
        }
        java.util.Set<UUID> products = new java.util.LinkedHashSet<>(productIds);
        if (products.isEmpty() || catalog.products(products).size() != products.size()) {
            throw new IllegalArgumentException("a profile bundles products of the catalogue");
        }
        UUID id = UUID.randomUUID();
        jdbc.sql("insert into licence_profile (id, name, created_by) values (:id, :name, :by)").param("id", id).param("name", name.strip())
                .param("by", actor).update();
        for (UUID product : products) {
            jdbc.sql("insert into licence_profile_product (profile_id, product_id) values (:id, :p)").param("id", id).param("p", product).update();
        }
        audit.record(actor, "LICENCE_PROFILE_CREATED", "licence_profile", id.toString(), Map.of("name", name.strip(), "products", productIds.size()));
        return id;
    }

    /** Adds a rule to the profile; the persons it picks get the profile's products at once, as far as seats go. */
    public UUID addRule(UUID profileId, Selector selector, String actor) {
        profile(profileId).orElseThrow(() -> new IllegalArgumentException("no profile " + profileId));
        List<UUID> affected = pools.poolsOfProfile(profileId);
        reconciler.lock(affected);
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        insert into assignment_rule (id, profile_id, kind, organisation_id, group_id, person_id, grade, role, school_form, created_by)
                        values (:id, :profile, :kind, :org, :group, :person, :grade, :role, :form, :by)
                        """)
                .param("id", id).param("profile", profileId).param("kind", selector.kind().name()).param("org", selector.organisationId())
                .param("group", selector.groupId()).param("person", selector.personId()).param("grade", selector.grade())
                .param("role", selector.role()).param("form", selector.schoolForm()).param("by", actor).update();
        audit.record(actor, "LICENCE_PROFILE_RULE_ADDED", "licence_profile", profileId.toString(), LicencePools.describe(selector, id));
        if (!affected.isEmpty()) {
            reconciler.reconcile(affected, null);
        }
        return id;
    }

    /** Removes a profile rule; see {@link LicencePools#removeRule}. */
    public void removeRule(UUID ruleId, String actor) {
        pools.removeRule(ruleId, actor);
    }

    @Transactional(readOnly = true)
    public List<Profile> list() {
        return jdbc.sql(SELECT + " group by p.id order by p.name").query(Profiles::profile).list();
    }

    @Transactional(readOnly = true)
    public Optional<Profile> profile(UUID id) {
        return jdbc.sql(SELECT + " where p.id = :id group by p.id").param("id", id).query(Profiles::profile).optional();
    }

    @Transactional(readOnly = true)
    public List<LicencePools.Rule> rules(UUID profileId) {
        return jdbc.sql(LicencePools.RULE_SELECT + " where r.profile_id = :id order by r.created_at, r.id").param("id", profileId)
                .query(LicencePools::rule).list();
    }

    private static final String SELECT = """
            select p.id, p.name, p.created_by, p.created_at, coalesce(array_agg(pp.product_id order by pp.product_id)
                   filter (where pp.product_id is not null), '{}') products
            from licence_profile p left join licence_profile_product pp on pp.profile_id = p.id
            """;

    private static Profile profile(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        UUID[] products = (UUID[]) rs.getArray("products").getArray();
        return new Profile(rs.getObject("id", UUID.class), rs.getString("name"), List.of(products), rs.getString("created_by"),
                rs.getTimestamp("created_at").toInstant());
    }
}
