package org.tilldela.licensing;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.governance.CallerScope;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.directory.Rosters;
import org.tilldela.governance.AuditTrail;

/**
 * Licence pools: one per order line (or trial) — product, organiser or school scope, seats, period — and
 * who gets their seats: rules, and persons and groups picked by hand. Every change is applied at once
 * (the pool is re-evaluated under its lock) and audited.
 */
@Service
@Transactional
public class LicencePools {

    /** A pool with its seats in use (ACTIVE and GRACE) and the number of persons left without a seat. */
    public record Pool(UUID id, UUID productId, UUID organiserId, UUID scopeId, Integer seats, LocalDate startsOn, LocalDate endsOn, boolean trial,
                       UUID orderLineId, String createdBy, Instant createdAt, long seatsUsed, long shortfall) {

        public boolean unlimited() {
            return seats == null;
        }

        public boolean expiredOn(LocalDate day) {
            return endsOn.isBefore(day);
        }
    }

    /** A rule of a pool or of a profile; {@code direct}: a person or group picked by hand. {@code holders}: live seats it brought. */
    public record Rule(UUID id, UUID poolId, UUID profileId, Selector selector, boolean direct, String createdBy, Instant createdAt, long holders) {
    }

    public record Assignment(UUID personId, String state, String source, UUID ruleId, Instant assignedAt, LocalDate graceUntil, LocalDate endedOn) {
    }

    /** A person a pool's rules pick who has no seat, since when. */
    public record Shortfall(UUID personId, String source, UUID ruleId, Instant since) {
    }

    /**
     * The outcome of picking persons by hand: who holds a seat now (newly or already), who is left without
     * one (the seats ran out: recorded as shortfall), and who cannot have one (not in the directory, or
     * outside the pool's scope).
     */
    public record Allocation(List<UUID> holding, List<UUID> withoutSeat, List<UUID> notEligible) {
    }

    private final JdbcClient jdbc;
    private final Reconciler reconciler;
    private final Catalog catalog;
    private final OrganisationBrowser organisations;
    private final Rosters rosters;
    private final AuditTrail audit;
    private final PoolAdmission admission;

    LicencePools(JdbcClient jdbc, Reconciler reconciler, Catalog catalog, OrganisationBrowser organisations, Rosters rosters, AuditTrail audit,
                 PoolAdmission admission) {
        this.admission = admission;
        this.jdbc = jdbc;
        this.reconciler = reconciler;
        this.catalog = catalog;
        this.organisations = organisations;
        this.rosters = rosters;
        this.audit = audit;
    }

    /**
     * Creates a pool (purchase: one per order line). The same order line twice gives the pool created the
     * first time, so a retried order creates nothing new.
     */
    public UUID create(NewPool pool) {
        return create(pool, List.of(), true);
    }

    /**
     * Creates a pool with its rules (an order line naming its recipients by rule). With {@code applyNow}
     * false the seats are left to the next engine run: a bulk load of many pools is applied by one
     * {@link AssignmentEngine#recomputeAll()} instead of one evaluation per pool.
     */
    public UUID create(NewPool pool, List<Selector> rules, boolean applyNow) {
        if (pool.orderLineId() != null) {
            Optional<UUID> existing = jdbc.sql("select id from licence_pool where order_line_id = :o").param("o", pool.orderLineId())
                    .query(UUID.class).optional();
            if (existing.isPresent()) {
                return existing.get();
            }
        }
        Product product = catalog.product(pool.productId())
                .orElseThrow(() -> new IllegalArgumentException("no product " + pool.productId()));
        if (pool.seats() == null && product.licenceModel() == Product.LicenceModel.PER_USER) {
            throw new PoolRefused(PoolRefused.Reason.of("seatsNeeded", product.title() + " is licensed per user: a pool of it needs a number of seats.",
                    product.title()));
        }
        if (!pool.scopeId().equals(pool.organiserId())) {
            var trail = organisations.ancestry(pool.scopeId());
            if (trail.isEmpty() || !trail.getFirst().id().equals(pool.organiserId())) {
                throw new IllegalArgumentException("the scope " + pool.scopeId() + " is not under the organiser " + pool.organiserId());
            }
        }
        // the same gate as an order, whoever creates the pool: a licence is what lets personal data flow
        admission.admit(pool);
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        insert into licence_pool (id, product_id, organiser_id, scope_id, seats, starts_on, ends_on, trial, order_line_id, created_by)
                        values (:id, :product, :organiser, :scope, :seats, :starts, :ends, :trial, :line, :by)
                        """)
                .param("id", id).param("product", pool.productId()).param("organiser", pool.organiserId()).param("scope", pool.scopeId())
                .param("seats", pool.seats()).param("starts", pool.startsOn()).param("ends", pool.endsOn()).param("trial", pool.trial())
                .param("line", pool.orderLineId()).param("by", pool.createdBy()).update();
        audit.record(pool.createdBy(), "LICENCE_POOL_CREATED", "licence_pool", id.toString(), Map.of("product", pool.productId().toString(),
                "scope", pool.scopeId().toString(), "seats", pool.seats() == null ? "unlimited" : pool.seats().toString(),
                "period", pool.startsOn() + "/" + pool.endsOn(), "trial", pool.trial()));
        for (Selector rule : rules) {
            UUID ruleId = UUID.randomUUID();
            insertRuleRow(ruleId, id, rule, false, pool.createdBy());
            audit.record(pool.createdBy(), "LICENCE_RULE_ADDED", "licence_pool", id.toString(), describe(rule, ruleId));
        }
        if (applyNow) {
            // Profiles may already name the product: their persons get seats from the new pool at once.
            reconciler.reconcile(List.of(id), null);
        }
        return id;
    }

    /**
     * A trial of a product: a pool that ends by itself after the product's trial days (the last day valid
     * is {@code startsOn + trialDays - 1}).
     */
    public UUID createTrial(UUID productId, UUID organiserId, UUID scopeId, Integer seats, LocalDate startsOn, String createdBy) {
        return createTrial(productId, organiserId, scopeId, seats, startsOn, null, createdBy);
    }

    /** A trial pool for an order line (created once per line, like {@link #create(NewPool)}). */
    public UUID createTrial(UUID productId, UUID organiserId, UUID scopeId, Integer seats, LocalDate startsOn, UUID orderLineId, String createdBy) {
        Product product = catalog.product(productId).orElseThrow(() -> new IllegalArgumentException("no product " + productId));
        if (!product.hasTrial()) {
            throw new IllegalArgumentException("the product " + product.articleNumber() + " has no trial");
        }
        return create(new NewPool(productId, organiserId, scopeId, seats, startsOn, startsOn.plusDays(product.trialDays() - 1L), true, orderLineId,
                createdBy));
    }

    /** Adds a rule to a pool; the persons it picks get seats at once (as far as seats go). */
    public UUID addRule(UUID poolId, Selector selector, String actor) {
        return insertRule(poolId, selector, false, actor);
    }

    /** Removes a rule (of a pool or of a profile); whom it alone brought give their seats back. */
    public void removeRule(UUID ruleId, String actor) {
        record Owner(UUID poolId, UUID profileId) {
        }
        Owner owner = jdbc.sql("select pool_id, profile_id from assignment_rule where id = :id").param("id", ruleId)
                .query((rs, n) -> new Owner(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class))).optional()
                .orElseThrow(() -> new IllegalArgumentException("no rule " + ruleId));
        List<UUID> pools = owner.poolId() != null ? List.of(owner.poolId()) : poolsOfProfile(owner.profileId());
        reconciler.lock(pools);
        jdbc.sql("delete from assignment_rule where id = :id").param("id", ruleId).update();
        audit.record(actor, "LICENCE_RULE_REMOVED", "assignment_rule", ruleId.toString(),
                owner.poolId() != null ? Map.of("pool", owner.poolId().toString()) : Map.of("profile", owner.profileId().toString()));
        reconciler.reconcile(pools, null);
    }

    /** Gives seats to persons picked by hand; they keep them until withdrawn, until they leave, or until the pool ends. */
    public Allocation assignDirect(UUID poolId, Collection<UUID> personIds, String actor) {
        Pool pool = pool(poolId).orElseThrow(() -> new IllegalArgumentException("no pool " + poolId));
        reconciler.lock(List.of(poolId));
        Set<UUID> persons = new LinkedHashSet<>(personIds);
        for (UUID person : persons) {
            jdbc.sql("""
                            insert into assignment_rule (id, pool_id, kind, person_id, direct, created_by) values (:id, :pool, 'PERSON', :person, true, :by)
                            on conflict (pool_id, person_id) where kind = 'PERSON' and direct do nothing
                            """)
                    .param("id", UUID.randomUUID()).param("pool", poolId).param("person", person).param("by", actor).update();
        }
        audit.record(actor, "LICENCE_ASSIGNED_DIRECT", "licence_pool", poolId.toString(), Map.of("persons", persons.size()));
        reconciler.reconcile(List.of(pool.id()), persons);
        return allocation(poolId, persons);
    }

    /**
     * Gives seats to a group picked by hand: its members now and after every import (a pupil who joins
     * the class gets one, one who moves out gives it back), as far as the seats go.
     */
    public Allocation assignGroup(UUID poolId, UUID groupId, String actor) {
        return assignGroup(poolId, groupId, null, actor);
    }

    /** As {@link #assignGroup(UUID, UUID, String)}, for the group's members in one role only (PUPIL, STAFF, …; null: all). */
    public Allocation assignGroup(UUID poolId, UUID groupId, String role, String actor) {
        pool(poolId).orElseThrow(() -> new IllegalArgumentException("no pool " + poolId));
        reconciler.lock(List.of(poolId));
        insertRule(poolId, Selector.group(groupId, role), true, actor);
        List<UUID> members = rosters.persons(new Rosters.Selector(Rosters.Kind.GROUP, null, groupId, null, null, role, null, null));
        return allocation(poolId, members);
    }

    /** Takes back a seat given by hand (rules that still pick the person keep it). */
    public void withdrawDirect(UUID poolId, UUID personId, String actor) {
        reconciler.lock(List.of(poolId));
        int n = jdbc.sql("delete from assignment_rule where pool_id = :pool and person_id = :person and kind = 'PERSON' and direct")
                .param("pool", poolId).param("person", personId).update();
        if (n > 0) {
            audit.record(actor, "LICENCE_WITHDRAWN_DIRECT", "licence_pool", poolId.toString(), Map.of("person", personId.toString()));
            reconciler.reconcile(List.of(poolId), List.of(personId));
        }
    }

    /**
     * Ends the pool early, before the period bought: its last day becomes yesterday, and its seats end today as every
     * pool's do when its period is over — holders lose the licence, their accounts and holdings follow ({@link LicenceEnded}).
     * A pool ended on its first day (or before it) is kept as one that began yesterday: a period is kept in whole days, and
     * its seats must end now, not tomorrow. Audited, with how many seats ended. False when it had already ended.
     */
    public boolean endEarly(UUID poolId, String actor) {
        reconciler.lock(List.of(poolId));
        LocalDate today = LocalDate.now();
        Optional<LocalDate> endsOn = jdbc.sql("""
                        update licence_pool set ends_on = cast(:today as date) - 1, starts_on = least(starts_on, cast(:today as date) - 1)
                        where id = :id and ends_on >= :today returning ends_on
                        """).param("id", poolId).param("today", today).query(LocalDate.class).optional();
        if (endsOn.isEmpty()) {
            return false;
        }
        int ended = reconciler.sweep(today);
        audit.record(actor, "LICENCE_POOL_ENDED_EARLY", "licence_pool", poolId.toString(), Map.of("endsOn", endsOn.get().toString(), "seatsEnded", ended));
        return true;
    }

    @Transactional(readOnly = true)
    public Optional<Pool> pool(UUID id) {
        return pool(id, CallerScope.wholeInstallation());
    }

    /**
     * Whether a licence administrator exercising {@code scope} keeps pools at the unit: a pool reaches everyone at its
     * unit whatever their school form, so only where the grant covers every form there ({@link CallerScope#unitInEveryForm}).
     */
    @Transactional(readOnly = true)
    public boolean keepsPoolsAt(UUID unit, CallerScope scope) {
        return jdbc.sql("select exists (select 1 from organisation o where o.id = :u and " + scope.unitInEveryForm("o.id") + ")").param("u", unit)
                .params(scope.params()).query(Boolean.class).single();
    }

    /**
     * The pool if the caller keeps pools at the unit it is for ({@link #keepsPoolsAt}); an organiser-wide pool is the
     * organiser's administrators'.
     */
    @Transactional(readOnly = true)
    public Optional<Pool> pool(UUID id, CallerScope scope) {
        return jdbc.sql(POOL_SELECT + " where p.id = :id and " + scope.unitInEveryForm("p.scope_id")).param("id", id).params(scope.params())
                .query(LicencePools::pool).optional();
    }

    @Transactional(readOnly = true)
    public Optional<Pool> ofOrderLine(UUID orderLineId) {
        return jdbc.sql(POOL_SELECT + " where p.order_line_id = :id").param("id", orderLineId).query(LicencePools::pool).optional();
    }

    /** Pools, newest first. */
    @Transactional(readOnly = true)
    public List<Pool> list(int limit) {
        return list(limit, CallerScope.wholeInstallation());
    }

    /** Pools for units within the caller's scope, newest first. */
    @Transactional(readOnly = true)
    public List<Pool> list(int limit, CallerScope scope) {
        return jdbc.sql(POOL_SELECT + " where " + scope.unitInEveryForm("p.scope_id") + " order by p.created_at desc, p.id limit :limit").param("limit", limit)
                .params(scope.params()).query(LicencePools::pool).list();
    }

    @Transactional(readOnly = true)
    public List<Pool> ofProduct(UUID productId) {
        return jdbc.sql(POOL_SELECT + " where p.product_id = :product order by p.created_at").param("product", productId).query(LicencePools::pool).list();
    }

    @Transactional(readOnly = true)
    public List<Rule> rules(UUID poolId) {
        return jdbc.sql(RULE_SELECT + " where r.pool_id = :id order by r.direct, r.created_at, r.id").param("id", poolId).query(LicencePools::rule).list();
    }

    /** The pool's assignments, live ones first, at most {@code limit}. */
    @Transactional(readOnly = true)
    public List<Assignment> assignments(UUID poolId, int limit) {
        return jdbc.sql("""
                        select person_id, state, source, rule_id, assigned_at, grace_until, ended_on from licence_assignment where pool_id = :id
                        order by case state when 'ACTIVE' then 0 when 'GRACE' then 1 else 2 end, assigned_at desc, person_id limit :limit
                        """).param("id", poolId).param("limit", limit)
                .query((rs, n) -> new Assignment(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getObject(4, UUID.class),
                        rs.getTimestamp(5).toInstant(), rs.getObject(6, LocalDate.class), rs.getObject(7, LocalDate.class))).list();
    }

    /** Everyone who holds or ever held a seat of the pool (ended seats included). */
    @Transactional(readOnly = true)
    public List<UUID> holdersEver(UUID poolId) {
        return jdbc.sql("select distinct person_id from licence_assignment where pool_id = :id").param("id", poolId).query(UUID.class).list();
    }

    /** Who the pool's rules pick but who got no seat because the seats ran out, longest waiting first. */
    @Transactional(readOnly = true)
    public List<Shortfall> shortfall(UUID poolId) {
        return jdbc.sql("""
                        select person_id, source, rule_id, since from licence_shortfall where pool_id = :id
                        order by since, case source when 'DIRECT' then 0 when 'RULE' then 1 else 2 end, person_id
                        """)
                .param("id", poolId)
                .query((rs, n) -> new Shortfall(rs.getObject(1, UUID.class), rs.getString(2), rs.getObject(3, UUID.class), rs.getTimestamp(4).toInstant()))
                .list();
    }

    UUID insertRule(UUID poolId, Selector selector, boolean direct, String actor) {
        pool(poolId).orElseThrow(() -> new IllegalArgumentException("no pool " + poolId));
        reconciler.lock(List.of(poolId));
        UUID id = UUID.randomUUID();
        insertRuleRow(id, poolId, selector, direct, actor);
        audit.record(actor, direct ? "LICENCE_ASSIGNED_DIRECT" : "LICENCE_RULE_ADDED", "licence_pool", poolId.toString(), describe(selector, id));
        reconciler.reconcile(List.of(poolId), null);
        return id;
    }

    private void insertRuleRow(UUID id, UUID poolId, Selector selector, boolean direct, String actor) {
        jdbc.sql("""
                        insert into assignment_rule (id, pool_id, kind, organisation_id, group_id, person_id, grade, role, school_form, direct, created_by)
                        values (:id, :pool, :kind, :org, :group, :person, :grade, :role, :form, :direct, :by)
                        """)
                .param("id", id).param("pool", poolId).param("kind", selector.kind().name()).param("org", selector.organisationId())
                .param("group", selector.groupId()).param("person", selector.personId()).param("grade", selector.grade())
                .param("role", selector.role()).param("form", selector.schoolForm()).param("direct", direct).param("by", actor).update();
    }

    static Map<String, Object> describe(Selector s, UUID ruleId) {
        Map<String, Object> d = new java.util.LinkedHashMap<>();
        d.put("rule", ruleId.toString());
        d.put("kind", s.kind().name());
        if (s.organisationId() != null) {
            d.put("organisation", s.organisationId().toString());
        }
        if (s.groupId() != null) {
            d.put("group", s.groupId().toString());
        }
        if (s.personId() != null) {
            d.put("person", s.personId().toString());
        }
        if (s.grade() != null) {
            d.put("grade", s.grade());
        }
        if (s.role() != null) {
            d.put("role", s.role());
        }
        return d;
    }

    List<UUID> poolsOfProfile(UUID profileId) {
        return jdbc.sql("""
                        select p.id from licence_pool p join licence_profile_product pp on pp.product_id = p.product_id where pp.profile_id = :id
                        """).param("id", profileId).query(UUID.class).list();
    }

    private Allocation allocation(UUID poolId, Collection<UUID> persons) {
        UUID[] ids = persons.toArray(UUID[]::new);
        Set<UUID> holding = new LinkedHashSet<>(jdbc.sql("select person_id from licence_assignment where pool_id = :p and person_id = any(:ids) and state <> 'ENDED'")
                .param("p", poolId).param("ids", ids).query(UUID.class).list());
        Set<UUID> waiting = new LinkedHashSet<>(jdbc.sql("select person_id from licence_shortfall where pool_id = :p and person_id = any(:ids)")
                .param("p", poolId).param("ids", ids).query(UUID.class).list());
        List<UUID> h = new ArrayList<>();
        List<UUID> w = new ArrayList<>();
        List<UUID> x = new ArrayList<>();
        for (UUID p : persons) {
            (holding.contains(p) ? h : waiting.contains(p) ? w : x).add(p);
        }
        return new Allocation(h, w, x);
    }

    static final String RULE_SELECT = """
            select r.id, r.pool_id, r.profile_id, r.kind, r.organisation_id, r.group_id, r.person_id, r.grade, r.role, r.school_form, r.direct,
                   r.created_by, r.created_at,
                   (select count(*) from licence_assignment a where a.rule_id = r.id and a.state <> 'ENDED') holders
            from assignment_rule r
            """;

    static Rule rule(ResultSet rs, int n) throws SQLException {
        Selector s = new Selector(Selector.Kind.valueOf(rs.getString("kind")), rs.getObject("organisation_id", UUID.class),
                rs.getObject("group_id", UUID.class), rs.getObject("person_id", UUID.class), rs.getString("grade"), rs.getString("role"),
                rs.getString("school_form"));
        return new Rule(rs.getObject("id", UUID.class), rs.getObject("pool_id", UUID.class), rs.getObject("profile_id", UUID.class), s,
                rs.getBoolean("direct"), rs.getString("created_by"), rs.getTimestamp("created_at").toInstant(), rs.getLong("holders"));
    }

    private static final String POOL_SELECT = """
            select p.id, p.product_id, p.organiser_id, p.scope_id, p.seats, p.starts_on, p.ends_on, p.trial, p.order_line_id, p.created_by, p.created_at,
                   (select count(*) from licence_assignment a where a.pool_id = p.id and a.state <> 'ENDED') used,
                   (select count(*) from licence_shortfall s where s.pool_id = p.id) shortfall
            from licence_pool p
            """;

    private static Pool pool(ResultSet rs, int n) throws SQLException {
        int seats = rs.getInt("seats");
        Integer s = rs.wasNull() ? null : seats;
        return new Pool(rs.getObject("id", UUID.class), rs.getObject("product_id", UUID.class), rs.getObject("organiser_id", UUID.class),
                rs.getObject("scope_id", UUID.class), s, rs.getObject("starts_on", LocalDate.class), rs.getObject("ends_on", LocalDate.class),
                rs.getBoolean("trial"), rs.getObject("order_line_id", UUID.class), rs.getString("created_by"), rs.getTimestamp("created_at").toInstant(),
                rs.getLong("used"), rs.getLong("shortfall"));
    }
}
