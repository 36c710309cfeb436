package org.tilldela.access;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.Period;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.access.DataAccessAgreement.State;
import org.tilldela.access.DataAccessAgreement.Step;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.CallerScope;
import org.tilldela.platform.OneRoundTrip;

/**
 * Filing and deciding data-access requests. A request is checked against the product's declaration and
 * the package when filed; a decision may only narrow what was asked. Each step is recorded with who,
 * when and why, and audited. Decisions take effect at once: the release policy reads them on every call.
 */
@Service
public class DataAccessAgreements {

    private final JdbcClient jdbc;
    private final Catalog catalog;
    private final OrganisationBrowser organisations;
    private final AuditTrail audit;
    private final Clock clock;
    /** How long an approval (or re-approval) holds before the school must re-approve it: a year unless configured. */
    private final Period reapprovalPeriod;

    /** Reminders of a re-approval show this many days before its date. */
    public static final int REMIND_DAYS = 30;

    /** The actor of what the re-approval job does by itself. */
    static final String JOB = "agreement-reapproval";

    /** Tells who already sent data (provisioning) that what may go changed ({@link DataAccessAgreementChanged}). */
    private final org.springframework.context.ApplicationEventPublisher events;

    DataAccessAgreements(JdbcClient jdbc, Catalog catalog, OrganisationBrowser organisations, AuditTrail audit, Optional<Clock> clock,
                         @Value("${tilldela.access.reapproval-period:P1Y}") Period reapprovalPeriod,
                         org.springframework.context.ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.events = events;
        this.catalog = catalog;
        this.organisations = organisations;
        this.audit = audit;
        this.clock = clock.orElse(Clock.systemDefaultZone());
        if (reapprovalPeriod.isNegative() || reapprovalPeriod.isZero()) {
            throw new IllegalArgumentException("tilldela.access.reapproval-period must be positive, not " + reapprovalPeriod);
        }
        this.reapprovalPeriod = reapprovalPeriod;
    }

    /** The re-approval date of an agreement approved or re-approved on {@code day}. */
    public LocalDate reapprovalDueFrom(LocalDate day) {
        return day.plus(reapprovalPeriod);
    }

    /**
     * Files a request. {@code supplierId} is the supplier that asks: a supplier's own API client may only
     * ask for its own products.
     */
    @Transactional
    public DataAccessAgreement file(UUID supplierId, NewDataAccessRequest request, String actor) {
        return file(CallerScope.wholeInstallation(), supplierId, request, actor);
    }

    /**
     * Files a request on behalf of an access administrator exercising {@code scope}: the organiser or school unit it is for
     * must be one the caller may decide for ({@link #DECIDED}); any other is refused as if it did not exist.
     */
    @Transactional
    public DataAccessAgreement file(CallerScope caller, UUID supplierId, NewDataAccessRequest request, String actor) {
        // Rules about the request alone first and the scope last: whether a refusal comes, and which, must
        // not depend on whether an organisation id exists (the supplier API answers both alike, see SupplierApi).
        if (request.purpose() == null || request.purpose().isBlank() || request.legalBasis() == null || request.legalBasis().isBlank()) {
            throw new DataAccessRefused("purposeAndBasis", "A request states its purpose and its legal basis.");
        }
        if (request.retentionDays() < 0) {
            throw new DataAccessRefused("negativeRetention", "The retention period cannot be negative.");
        }
        Product product = catalog.product(request.productId())
                .orElseThrow(() -> new DataAccessRefused("productNotFound", "No product with id " + request.productId() + " in the catalogue.", request.productId()));
        if (!product.supplierId().equals(supplierId)) {
            throw new DataAccessRefused("notSuppliersProduct", "The product " + product.articleNumber() + " is not this supplier's.", product.articleNumber());
        }
        if (request.attributePackage() == AttributePackage.PUBLIC_AUTHORITY && !isPublicAuthority(supplierId)) {
            throw new DataAccessRefused("publicAuthorityOnly", "Only a supplier recorded as a public authority can ask for the public-authority package.");
        }
        Set<Attribute> requested = requestedAttributes(product, request);
        if (requested.isEmpty()) {
            throw new DataAccessRefused("nothingToAsk", "The product declares no personal data that the " + request.attributePackage() + " package contains: there is nothing to ask for.", request.attributePackage());
        }
        var scope = organisations.organisation(request.scopeId()).filter(o -> mayFileFor(caller, List.of(o.id())).contains(o.id()))
                .orElseThrow(() -> new DataAccessRefused("scopeNotFound", "No organiser or school unit with id " + request.scopeId() + ".", request.scopeId()));
        if (!"ORGANISER".equals(scope.kind()) && !"SCHOOL_UNIT".equals(scope.kind())) {
            throw new DataAccessRefused("scopeKind", "An agreement is made for an organiser or a school unit, not for " + scope.name() + ".", scope.name());
        }
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        insert into data_access_agreement (id, supplier_id, product_id, scope_id, package, requested_attributes, purpose,
                                                           legal_basis, retention_days, state, filed_by)
                        values (:id, :supplier, :product, :scope, :package, :attributes, :purpose, :basis, :retention, 'REQUESTED', :actor)
                        """)
                .param("id", id).param("supplier", supplierId).param("product", product.id()).param("scope", request.scopeId())
                .param("package", request.attributePackage().name()).param("attributes", names(requested)).param("purpose", request.purpose().strip())
                .param("basis", request.legalBasis().strip()).param("retention", request.retentionDays()).param("actor", actor).update();
        step(id, Step.Kind.FILED, actor, null, requested);
        audit.record(actor, "DATA_ACCESS_REQUESTED", "data_access_agreement", id.toString(),
                Map.of("product", product.id().toString(), "scope", request.scopeId().toString(), "package", request.attributePackage().name(),
                        "attributes", sortedNames(requested)));
        return agreement(id).orElseThrow();
    }

    /** The package's attributes the product declares; an explicit list must lie within both. */
    static Set<Attribute> requestedAttributes(Product product, NewDataAccessRequest request) {
        Set<Attribute> declared = product.declaredAttributes();
        Set<Attribute> allowed = EnumSet.noneOf(Attribute.class);
        request.attributePackage().attributes().stream().filter(declared::contains).forEach(allowed::add);
        if (request.attributes().isEmpty()) {
            return allowed;
        }
        List<String> outsidePackage = request.attributes().stream().filter(a -> !request.attributePackage().contains(a)).map(Enum::name).sorted().toList();
        if (!outsidePackage.isEmpty()) {
            throw new DataAccessRefused("outsidePackage", "Not in the " + request.attributePackage() + " package: " + String.join(", ", outsidePackage) + ".", request.attributePackage(), String.join(", ", outsidePackage));
        }
        List<String> undeclared = request.attributes().stream().filter(a -> !declared.contains(a)).map(Enum::name).sorted().toList();
        if (!undeclared.isEmpty()) {
            throw new DataAccessRefused("undeclared", "The product does not declare that it needs: " + String.join(", ", undeclared)
                    + ". An agreement is never wider than the product's data-needs declaration.", String.join(", ", undeclared));
        }
        return EnumSet.copyOf(request.attributes());
    }

    /**
     * Approves a request, as asked or narrowed to {@code attributes} (null or empty: as asked). An agreement
     * already in force for the same product and scope is superseded.
     */
    @Transactional
    public DataAccessAgreement approve(UUID id, Set<Attribute> attributes, String reason, String actor) {
        return approve(CallerScope.wholeInstallation(), id, attributes, reason, actor);
    }

    /** {@link #approve(UUID, Set, String, String)} by an administrator exercising {@code caller}: see {@link #lock(CallerScope, UUID)}. */
    @Transactional
    public DataAccessAgreement approve(CallerScope caller, UUID id, Set<Attribute> attributes, String reason, String actor) {
        DataAccessAgreement agreement = lockOpen(caller, id);
        Set<Attribute> approved = attributes == null || attributes.isEmpty() ? agreement.requestedAttributes() : EnumSet.copyOf(attributes);
        List<String> wider = approved.stream().filter(a -> !agreement.requestedAttributes().contains(a)).map(Enum::name).sorted().toList();
        if (!wider.isEmpty()) {
            throw new DataAccessRefused("widerThanRequest", "An approval can only narrow a request; not asked for: " + String.join(", ", wider) + ".", String.join(", ", wider));
        }
        boolean narrowed = !approved.equals(agreement.requestedAttributes());
        if (narrowed && (reason == null || reason.isBlank())) {
            throw new DataAccessRefused("narrowNeedsReason", "Say why the request is narrowed.");
        }
        List<UUID> superseded = jdbc.sql("""
                        update data_access_agreement set state = 'SUPERSEDED', updated_at = now()
                        where product_id = :product and scope_id = :scope and state in ('APPROVED', 'LAPSED') returning id
                        """).param("product", agreement.productId()).param("scope", agreement.scopeId()).query(UUID.class).list();
        for (UUID old : superseded) {
            step(old, Step.Kind.SUPERSEDED, actor, "replaced by agreement " + id, null);
        }
        jdbc.sql("update data_access_agreement set state = 'APPROVED', approved_attributes = :a, reapproval_due = :due, updated_at = now() where id = :id")
                .param("a", names(approved)).param("due", reapprovalDueFrom(LocalDate.now(clock))).param("id", id).update();
        step(id, narrowed ? Step.Kind.NARROWED : Step.Kind.APPROVED, actor, blankToNull(reason), approved);
        audit.record(actor, narrowed ? "DATA_ACCESS_NARROWED" : "DATA_ACCESS_APPROVED", "data_access_agreement", id.toString(),
                Map.of("attributes", sortedNames(approved), "superseded", superseded.stream().map(UUID::toString).toList()));
        events.publishEvent(new DataAccessAgreementChanged(id, agreement.productId(), agreement.scopeId(), "APPROVED"));
        return agreement(id).orElseThrow();
    }

    @Transactional
    public DataAccessAgreement decline(UUID id, String reason, String actor) {
        return decline(CallerScope.wholeInstallation(), id, reason, actor);
    }

    @Transactional
    public DataAccessAgreement decline(CallerScope caller, UUID id, String reason, String actor) {
        lockOpen(caller, id);
        requireReason(reason, "declined");
        jdbc.sql("update data_access_agreement set state = 'DECLINED', updated_at = now() where id = :id").param("id", id).update();
        step(id, Step.Kind.DECLINED, actor, reason.strip(), null);
        audit.record(actor, "DATA_ACCESS_DECLINED", "data_access_agreement", id.toString(), Map.of("reason", reason.strip()));
        return agreement(id).orElseThrow();
    }

    /** Revokes an agreement in force; from the moment this commits, no channel releases anything under it. */
    @Transactional
    public DataAccessAgreement revoke(UUID id, String reason, String actor) {
        return revoke(CallerScope.wholeInstallation(), id, reason, actor);
    }

    @Transactional
    public DataAccessAgreement revoke(CallerScope caller, UUID id, String reason, String actor) {
        DataAccessAgreement agreement = lock(caller, id);
        if (!agreement.isInForce()) {
            throw new DataAccessRefused("notInForce", "Only an agreement in force can be revoked; this one is " + agreement.state() + ".", agreement.state());
        }
        requireReason(reason, "revoked");
        jdbc.sql("update data_access_agreement set state = 'REVOKED', updated_at = now() where id = :id").param("id", id).update();
        step(id, Step.Kind.REVOKED, actor, reason.strip(), null);
        audit.record(actor, "DATA_ACCESS_REVOKED", "data_access_agreement", id.toString(), Map.of("reason", reason.strip()));
        events.publishEvent(new DataAccessAgreementChanged(id, agreement.productId(), agreement.scopeId(), "REVOKED"));
        return agreement(id).orElseThrow();
    }

    /**
     * The school re-approves an agreement that came up for re-approval (in force, or lapsed at its date), as it stands or
     * narrowed to {@code attributes} (null or empty: as it stands; a narrowing says why). It then holds for another period.
     * A re-approval never widens: for more, the supplier files a new request.
     */
    @Transactional
    public DataAccessAgreement reapprove(UUID id, Set<Attribute> attributes, String reason, String actor) {
        return reapprove(CallerScope.wholeInstallation(), id, attributes, reason, actor);
    }

    @Transactional
    public DataAccessAgreement reapprove(CallerScope caller, UUID id, Set<Attribute> attributes, String reason, String actor) {
        DataAccessAgreement agreement = lock(caller, id);
        if (!agreement.isDueForReapproval()) {
            throw new DataAccessRefused("notReapprovable", "Only an agreement in force or lapsed can be re-approved; this one is " + agreement.state() + ".",
                    agreement.state());
        }
        Set<Attribute> kept = attributes == null || attributes.isEmpty() ? agreement.approvedAttributes() : EnumSet.copyOf(attributes);
        List<String> wider = kept.stream().filter(a -> !agreement.approvedAttributes().contains(a)).map(Enum::name).sorted().toList();
        if (!wider.isEmpty()) {
            throw new DataAccessRefused("widerThanAgreement", "A re-approval can only narrow the agreement; not in it: " + String.join(", ", wider) + ".",
                    String.join(", ", wider));
        }
        boolean narrowed = !kept.equals(agreement.approvedAttributes());
        if (narrowed && (reason == null || reason.isBlank())) {
            throw new DataAccessRefused("narrowNeedsReason", "Say why the request is narrowed.");
        }
        LocalDate due = reapprovalDueFrom(LocalDate.now(clock));
        jdbc.sql("""
                        update data_access_agreement set state = 'APPROVED', approved_attributes = :a, reapproval_due = :due, updated_at = now()
                        where id = :id""").param("a", names(kept)).param("due", due).param("id", id).update();
        step(id, Step.Kind.REAPPROVED, actor, blankToNull(reason), kept);
        audit.record(actor, "DATA_ACCESS_REAPPROVED", "data_access_agreement", id.toString(), Map.of("attributes", sortedNames(kept),
                "narrowed", narrowed, "was", agreement.state().name(), "reapprovalDue", due.toString()));
        if (narrowed || agreement.state() != DataAccessAgreement.State.APPROVED) {
            // less may go, or (a lapsed one re-approved) more again
            events.publishEvent(new DataAccessAgreementChanged(id, agreement.productId(), agreement.scopeId(), narrowed ? "NARROWED" : "APPROVED"));
        }
        return agreement(id).orElseThrow();
    }

    /**
     * The agreements in force whose re-approval date passed before {@code today} lapse: from then on the supplier receives
     * MINIMAL, as without an agreement (the release policy already stops applying one the day after its date, whether or
     * not this has run). Each is a step of its own and audited. Returns how many lapsed.
     */
    @Transactional
    public int lapseOverdue(LocalDate today) {
        record Lapsed(UUID id, UUID productId, UUID scopeId) {
        }
        List<Lapsed> lapsed = jdbc.sql("""
                        update data_access_agreement set state = 'LAPSED', updated_at = now()
                        where state = 'APPROVED' and reapproval_due < :today returning id, product_id, scope_id""").param("today", today)
                .query((rs, n) -> new Lapsed(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class))).list();
        for (Lapsed l : lapsed) {
            step(l.id(), Step.Kind.LAPSED, JOB, "not re-approved by its re-approval date", null);
            audit.record(JOB, "DATA_ACCESS_LAPSED", "data_access_agreement", l.id().toString(), Map.of("fallback", AttributePackage.MINIMAL.name()));
            events.publishEvent(new DataAccessAgreementChanged(l.id(), l.productId(), l.scopeId(), "LAPSED"));
        }
        return lapsed.size();
    }

    /**
     * The agreements that come up for re-approval within {@link #REMIND_DAYS} (in force) or have lapsed, the earliest date
     * first: the re-approval list and its reminders.
     */
    public List<DataAccessAgreement> dueForReapproval(org.tilldela.governance.CallerScope scope, int limit) {
        Map<String, Object> params = new java.util.HashMap<>(scope.params());
        params.put("horizon", LocalDate.now(clock).plusDays(REMIND_DAYS));
        return list("where ((a.state = 'APPROVED' and a.reapproval_due <= :horizon) or a.state = 'LAPSED') and " + scope.unit("a.scope_id"),
                params, limit, "a.reapproval_due, a.id");
    }

    /** How many of {@link #dueForReapproval} there are, within {@code scope}. */
    public int countDueForReapproval(org.tilldela.governance.CallerScope scope) {
        return jdbc.sql("select count(*) from data_access_agreement a where ((a.state = 'APPROVED' and a.reapproval_due <= :horizon) or a.state = 'LAPSED') and "
                        + scope.unit("a.scope_id")).params(scope.params()).param("horizon", LocalDate.now(clock).plusDays(REMIND_DAYS))
                .query(Integer.class).single();
    }

    /**
     * Every agreement made for an organiser or school unit within {@code scope}, whatever its state now: the scopes data
     * went under, for a breach's list of affected persons (who is placed where today does not matter).
     */
    public List<UUID> madeWithin(org.tilldela.governance.CallerScope scope) {
        return jdbc.sql("select a.id from data_access_agreement a where " + scope.unit("a.scope_id")).params(scope.params()).query(UUID.class).list();
    }

    /**
     * Every agreement made for a unit above {@code scope}'s units (an organiser-wide agreement, seen by a caller scoped to
     * one of its schools), whatever its state now: data went under it to persons within the scope and beyond, so a
     * breach's list counts it only for persons within the scope.
     */
    public List<UUID> madeAbove(org.tilldela.governance.CallerScope scope) {
        if (scope.isWholeInstallation()) {
            return List.of();
        }
        return jdbc.sql("""
                        with recursive up(id, parent_id, depth) as (
                            select o.id, o.parent_id, 0 from organisation o where\s""" + scope.unit("o.id") + """

                            union
                            select p.id, p.parent_id, up.depth + 1 from organisation p join up on p.id = up.parent_id where up.depth < 20
                        )
                        select a.id from data_access_agreement a where a.scope_id in (select id from up) and not (""" + scope.unit("a.scope_id") + ")")
                .params(scope.params()).query(UUID.class).list();
    }

    public Optional<DataAccessAgreement> agreement(UUID id) {
        return agreement(CallerScope.wholeInstallation(), id);
    }

    /** The agreement if the caller sees it ({@link #SEEN}); empty otherwise, whether or not it exists (404). */
    public Optional<DataAccessAgreement> agreement(CallerScope caller, UUID id) {
        Map<String, Object> params = new HashMap<>(caller.params());
        params.put("id", id);
        return list("where a.id = :id and " + SEEN.apply(caller), params, 1).stream().findFirst();
    }

    /** Newest first; {@code state} null for all. */
    public List<DataAccessAgreement> list(State state, UUID supplierId, int limit) {
        return list(CallerScope.wholeInstallation(), state, supplierId, limit);
    }

    /** Newest first, only those the caller sees ({@link #SEEN}); {@code state} null for all. */
    public List<DataAccessAgreement> list(CallerScope caller, State state, UUID supplierId, int limit) {
        Map<String, Object> params = new HashMap<>(caller.params());
        List<String> where = new ArrayList<>();
        where.add(SEEN.apply(caller));
        if (state != null) {
            where.add("a.state = :state");
            params.put("state", state.name());
        }
        if (supplierId != null) {
            where.add("a.supplier_id = :supplier");
            params.put("supplier", supplierId);
        }
        return list(where.isEmpty() ? "" : "where " + String.join(" and ", where), params, limit);
    }

    /** The agreements in force for a product at any of these organisations (school units and organisers). */
    /** The agreements approved for the product {@code :product} at the organisations the scope condition names (%s). */
    private static final String IN_FORCE = """
            select a.id, a.supplier_id, a.product_id, a.scope_id, a.package, a.requested_attributes, a.approved_attributes, a.purpose,
                   a.legal_basis, a.retention_days, a.state, a.filed_by, a.filed_at, a.reapproval_due
            from data_access_agreement a
            where a.product_id = :product and a.scope_id %s and a.state = 'APPROVED'
              -- past its re-approval date an agreement no longer applies, even before the job marks it lapsed
              and a.reapproval_due >= :day
            order by a.filed_at desc, a.id limit 100""";

    List<DataAccessAgreement> inForce(UUID productId, Collection<UUID> scopeIds, LocalDate today) {
        if (scopeIds.isEmpty()) {
            return List.of();
        }
        // without their steps: the release policy decides on what is approved now, never on how it came to be, and
        // reads this on every token request (one round trip fewer)
        return jdbc.sql(IN_FORCE.formatted("= any(:scopes)")).param("product", productId).param("scopes", scopeIds.toArray(UUID[]::new))
                .param("day", today).query((rs, n) -> row(rs, List.of())).list();
    }

    /**
     * {@link #inForce} as a read to compose into one round trip ({@link OneRoundTrip}): the agreements approved for the
     * product {@code :product} at the organisations in {@code scopes}, an SQL relation of one column (the caller's).
     */
    static OneRoundTrip.Read<List<DataAccessAgreement>> inForceAt(String scopes) {
        return OneRoundTrip.Read.of(IN_FORCE.formatted("in (" + scopes + ")"), rs -> {
            List<DataAccessAgreement> found = new ArrayList<>();
            while (rs.next()) {
                found.add(row(rs, List.of()));
            }
            return found;
        });
    }

    /** {@link #isPublicAuthority} of the product {@code :product}'s supplier, as a read to compose into one round trip. */
    static final OneRoundTrip.Read<Boolean> SUPPLIER_IS_PUBLIC_AUTHORITY = OneRoundTrip.Read.of(
            "select exists (select 1 from public_authority_recipient where supplier_id = " + Catalog.SUPPLIER_ID_OF_PRODUCT + ")",
            rs -> rs.next() && rs.getBoolean(1));

    public boolean isPublicAuthority(UUID supplierId) {
        return jdbc.sql("select exists (select 1 from public_authority_recipient where supplier_id = :s)").param("s", supplierId)
                .query(Boolean.class).single();
    }

    @Transactional
    public void recordPublicAuthority(UUID supplierId, String reason, String actor) {
        requireReason(reason, "publicAuthority");
        jdbc.sql("insert into public_authority_recipient (supplier_id, recorded_by, reason) values (:s, :a, :r) on conflict (supplier_id) do nothing")
                .param("s", supplierId).param("a", actor).param("r", reason.strip()).update();
        audit.record(actor, "PUBLIC_AUTHORITY_RECORDED", "supplier", supplierId.toString(), Map.of("reason", reason.strip()));
    }

    private DataAccessAgreement lockOpen(CallerScope caller, UUID id) {
        DataAccessAgreement agreement = lock(caller, id);
        if (!agreement.state().isOpen()) {
            throw new DataAccessRefused("alreadyDecided", "This request has already been decided: it is " + agreement.state() + ".", agreement.state());
        }
        return agreement;
    }

    /**
     * Locks an agreement the caller is to decide on. Unknown, and outside what the caller sees, alike: "no such request"
     * (the API answers 404 for a scoped caller, so nobody learns it exists). Seen but not the caller's to decide (an
     * organiser-wide agreement seen by a grant narrowed to school forms): refused, and nothing changes.
     */
    private DataAccessAgreement lock(CallerScope caller, UUID id) {
        Map<String, Object> params = new HashMap<>(caller.params());
        params.put("id", id);
        Boolean decidable = jdbc.sql("select " + DECIDED.apply(caller) + " from data_access_agreement a where a.id = :id and " + SEEN.apply(caller)
                        + " for update of a").params(params).query(Boolean.class).optional()
                .orElseThrow(() -> caller.isWholeInstallation() ? new DataAccessRefused("requestNotFound", "No data-access request with id " + id + ".", id)
                        : new NoSuchRecord("No data-access request with id " + id + "."));
        if (!Boolean.TRUE.equals(decidable)) {
            throw new DataAccessRefused("notYoursToDecide", "This agreement covers more than your grant: an administrator whose grant covers all of it decides.");
        }
        return agreement(id).orElseThrow();
    }

    /**
     * Which agreements an access administrator sees (alias {@code a} of {@code data_access_agreement}): those made for a unit
     * within the grant ({@link CallerScope#unit}). With a grant narrowed to school forms that includes the organiser above the
     * schools it covers, so an organiser-wide agreement there is seen, read-only ({@link #DECIDED}).
     */
    static final java.util.function.Function<CallerScope, String> SEEN = scope -> scope.unit("a.scope_id");

    /**
     * Which of them the administrator may decide on (file, approve, decline, revoke, re-approve): an agreement covers every
     * pupil and member of staff at its unit whatever their school form, so like a placement without a school form it lies
     * within a grant only where that grant is not narrowed to school forms. For a grant over one school unit: agreements
     * made for it; over an organiser: for it and each unit below it; never for a unit above the grant.
     */
    static final java.util.function.Function<CallerScope, String> DECIDED = scope -> scope.wholeUnit("a.scope_id");

    /** Whether the caller may decide on the agreement (the forms to decide show only then); false when it does not see it. */
    public boolean mayDecide(CallerScope caller, UUID id) {
        return jdbc.sql("select exists (select 1 from data_access_agreement a where a.id = :id and " + SEEN.apply(caller) + " and "
                + DECIDED.apply(caller) + ")").params(caller.params()).param("id", id).query(Boolean.class).single();
    }

    /** Of these organisers and school units, those the caller may file a request for (the same rule as {@link #DECIDED}). */
    public Set<UUID> mayFileFor(CallerScope caller, Collection<UUID> units) {
        if (units.isEmpty() || caller.isWholeInstallation()) {
            return Set.copyOf(units);
        }
        return Set.copyOf(jdbc.sql("select a.scope_id from unnest(cast(:units as uuid[])) as a(scope_id) where " + DECIDED.apply(caller))
                .params(caller.params()).param("units", units.toArray(UUID[]::new)).query(UUID.class).list());
    }

    /** @param step the decision the reason is for: declined, revoked, publicAuthority (also the message key's suffix) */
    private static void requireReason(String reason, String step) {
        if (reason == null || reason.isBlank()) {
            String decision = switch (step) {
                case "declined" -> "the request is declined";
                case "revoked" -> "the agreement is revoked";
                default -> "the supplier is recorded as a public authority";
            };
            throw new DataAccessRefused("reason." + step, "Say why " + decision + ": the reason is kept with the decision.");
        }
    }

    private void step(UUID id, Step.Kind kind, String actor, String reason, Set<Attribute> attributes) {
        jdbc.sql("""
                        insert into data_access_step (agreement_id, step_no, kind, actor, reason, attributes)
                        values (:id, (select coalesce(max(step_no), 0) + 1 from data_access_step where agreement_id = :id), :kind, :actor, :reason, :attributes)
                        """)
                .param("id", id).param("kind", kind.name()).param("actor", actor).param("reason", reason)
                .param("attributes", attributes == null ? null : names(attributes)).update();
    }

    private List<DataAccessAgreement> list(String where, Map<String, ?> params, int limit) {
        return list(where, params, limit, "a.filed_at desc, a.id");
    }

    private List<DataAccessAgreement> list(String where, Map<String, ?> params, int limit, String order) {
        List<DataAccessAgreement> rows = jdbc.sql("""
                        select a.id, a.supplier_id, a.product_id, a.scope_id, a.package, a.requested_attributes, a.approved_attributes, a.purpose,
                               a.legal_basis, a.retention_days, a.state, a.filed_by, a.filed_at, a.reapproval_due
                        from data_access_agreement a
                        """ + where + " order by " + order + " limit " + limit)
                .params(params).query((rs, n) -> row(rs, List.of())).list();
        if (rows.isEmpty()) {
            return rows;
        }
        Map<UUID, List<Step>> steps = new HashMap<>();
        jdbc.sql("select agreement_id, step_no, kind, actor, at, reason, attributes from data_access_step where agreement_id = any(:ids) order by step_no")
                .param("ids", rows.stream().map(DataAccessAgreement::id).toArray(UUID[]::new))
                .query(rs -> {
                    steps.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>()).add(new Step(rs.getInt(2),
                            Step.Kind.valueOf(rs.getString(3)), rs.getString(4), rs.getTimestamp(5).toInstant(), rs.getString(6), attributes(rs.getArray(7))));
                });
        return rows.stream().map(a -> new DataAccessAgreement(a.id(), a.supplierId(), a.productId(), a.scopeId(), a.attributePackage(),
                a.requestedAttributes(), a.approvedAttributes(), a.purpose(), a.legalBasis(), a.retentionDays(), a.state(), a.filedBy(), a.filedAt(),
                steps.getOrDefault(a.id(), List.of()), a.reapprovalDue())).toList();
    }

    private static DataAccessAgreement row(ResultSet rs, List<Step> steps) throws SQLException {
        return new DataAccessAgreement(rs.getObject("id", UUID.class), rs.getObject("supplier_id", UUID.class), rs.getObject("product_id", UUID.class),
                rs.getObject("scope_id", UUID.class), AttributePackage.valueOf(rs.getString("package")), attributes(rs.getArray("requested_attributes")),
                attributes(rs.getArray("approved_attributes")), rs.getString("purpose"), rs.getString("legal_basis"), rs.getInt("retention_days"),
                State.valueOf(rs.getString("state")), rs.getString("filed_by"), rs.getTimestamp("filed_at").toInstant(), steps,
                rs.getObject("reapproval_due", LocalDate.class));
    }

    static Set<Attribute> attributes(Array array) throws SQLException {
        Set<Attribute> set = EnumSet.noneOf(Attribute.class);
        if (array != null) {
            for (String name : (String[]) array.getArray()) {
                set.add(Attribute.valueOf(name));
            }
        }
        return set;
    }

    static String[] names(Set<Attribute> attributes) {
        return sortedNames(attributes).toArray(String[]::new);
    }

    static List<String> sortedNames(Set<Attribute> attributes) {
        return attributes.stream().sorted().map(Enum::name).toList();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
