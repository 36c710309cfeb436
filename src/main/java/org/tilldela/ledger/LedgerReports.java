package org.tilldela.ledger;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.directory.Viewer;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.CallerScope;

/**
 * The ledger's views for the data protection officer: per person ("who has data about me" — the basis
 * of a GDPR Art. 15 answer), per supplier (its inventory), and names for the live feed. Reading a
 * person's report is reading personal data: every read is audited.
 */
@Service
@Transactional
public class LedgerReports {

    /** How many of a person's most recent releases a report lists (the recipients list is always complete). */
    static final int RELEASES_IN_REPORT = 200;

    private final JdbcClient jdbc;
    private final Catalog catalog;
    private final OrganisationBrowser directory;
    private final AuditTrail audit;
    private final Retention retention;
    /** Told by provisioning when it runs; none, and the report shows no deactivations. */
    private final ObjectProvider<DeactivatedAccounts> deactivated;
    /** Told by access; none, and agreements are shown by id. */
    private final ObjectProvider<AgreementNames> agreementNames;
    /** Told by the usage module; none, and the report has no usage lines. */
    private final ObjectProvider<ReportedUsage> reportedUsage;

    LedgerReports(JdbcClient jdbc, Catalog catalog, OrganisationBrowser directory, AuditTrail audit, Retention retention,
                  ObjectProvider<DeactivatedAccounts> deactivated, ObjectProvider<AgreementNames> agreementNames,
                  ObjectProvider<ReportedUsage> reportedUsage) {
        this.agreementNames = agreementNames;
        this.deactivated = deactivated;
        this.reportedUsage = reportedUsage;
        this.jdbc = jdbc;
        this.retention = retention;
        this.catalog = catalog;
        this.directory = directory;
        this.audit = audit;
    }

    /** The person as the viewer may see them: name null when masked (protected identity) or no longer in the directory. */
    public record PersonRef(UUID id, String givenName, String familyName, boolean masked, boolean protectedIdentity, String civicNumberMasked,
                            boolean inDirectory, String civicNumberKind) {
        public String displayName() {
            return givenName == null && familyName == null ? null : (givenName + " " + familyName).strip();
        }
    }

    /**
     * One recipient of the person's data.
     *
     * @param deletion the receipt of the deletion request while one is open or confirmed (state REQUESTED or
     *                 CONFIRMED): sent when and how, the supplier's answer, confirmed when; null otherwise
     * @param accountDeactivatedAt when the person's account at the recipient was deactivated (provisioning); null: none
     *                 is known, or it is active
     */
    public record Recipient(UUID supplierId, String supplierName, UUID productId, String productName, List<String> attributes,
                            Instant since, Instant lastDisclosed, long disclosures, long repeats, String purpose, String legalBasis, UUID agreementId,
                            int retentionDays, LocalDate endedOn, LocalDate retainUntil, DeletionState deletionState, DeletionReceipt deletion,
                            Instant accountDeactivatedAt, AgreementRef agreement) {
    }

    /**
     * The agreement a release was made under, as people name it: with whom, for what, since and until when.
     *
     * @param inForceFrom the day it was approved (the day it was filed when no approval is known)
     * @param endedOn the day it was revoked or replaced; null while in force
     */
    public record AgreementRef(UUID id, String supplierName, String productName, LocalDate filedOn, LocalDate inForceFrom, LocalDate endedOn) {
    }

    /** One release, as listed in a report. */
    public record Release(long sequence, Instant disclosedAt, UUID supplierId, String supplierName, UUID productId, String productName,
                          Channel channel, List<String> attributes, UUID agreementId, String legalBasis, String purpose) {
    }

    /** No such person within the viewer's scope: answered 404, the same as for a person that never existed. */
    @org.springframework.web.bind.annotation.ResponseStatus(org.springframework.http.HttpStatus.NOT_FOUND)
    public static class PersonNotFound extends RuntimeException {
        PersonNotFound() {
            super("no such person");
        }
    }

    /** Usage of one product a supplier reported about the person (see {@link ReportedUsage}). */
    public record UsageLine(UUID supplierId, String supplierName, UUID productId, String productName, LocalDate firstDay, LocalDate lastDay,
                            long activeDays, Instant lastActiveAt, long signIns) {
    }

    /** Who has data about the person, the most recent releases, and the usage suppliers reported back. */
    public record PersonReport(PersonRef person, Instant generatedAt, String generatedBy, List<Recipient> recipients,
                               List<Release> recentReleases, long totalReleases, List<UsageLine> usage) {
    }

    /**
     * The report on one person, audited as a read of personal data ({@code format}: page, json, pdf, …).
     * Protected persons are masked unless the viewer may see them.
     */
    public PersonReport personReport(UUID personId, Viewer viewer, String format) {
        LocalDate today = LocalDate.now();
        var found = directory.person(personId, viewer);
        // A person outside a scoped officer's scope is not there for them; one gone from the directory has no
        // placement left to be within a scope, so only an officer over the whole installation reports on them.
        if (found.isEmpty() && !viewer.scope().isWholeInstallation()) {
            throw new PersonNotFound();
        }
        PersonRef person = found
                .map(m -> new PersonRef(personId, m.givenName(), m.familyName(), m.masked(), m.protectedIdentity(), m.civicNumberMasked(), true, m.civicNumberKind()))
                .orElse(new PersonRef(personId, null, null, false, false, null, false, null));
        List<Holding> holdings = holdingsOf(personId, today);
        record Row(long sequence, Instant at, UUID supplier, UUID product, Channel channel, List<String> attributes, UUID agreement,
                   String legalBasis, String purpose) {
        }
        // including records appended under the person's former id (migration V2026.12.01.55)
        List<UUID> recorded = DisclosureLedger.recordedIds(jdbc, personId);
        List<Row> rows = jdbc.sql("""
                        select d.sequence, d.supplier_id, d.product_id, d.channel, d.attributes, d.agreement_id, d.legal_basis, d.purpose, d.disclosed_at
                        from disclosure d where %s order by d.sequence desc limit :limit""".formatted(DisclosureLedger.personPredicate(recorded)))
                .param("person", personId).param("recorded", recorded.toArray(UUID[]::new)).param("limit", RELEASES_IN_REPORT)
                .query((rs, n) -> new Row(rs.getLong(1), rs.getTimestamp(9).toInstant(), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class),
                        Channel.valueOf(rs.getString(4)), rs.getString(5).isEmpty() ? List.of() : List.of(rs.getString(5).split(",")), rs.getObject(6, UUID.class),
                        rs.getString(7), rs.getString(8))).list();
        long total = holdings.stream().mapToLong(Holding::disclosures).sum();
        Set<UUID> supplierIds = new HashSet<>();
        Set<UUID> productIds = new HashSet<>();
        holdings.forEach(h -> {
            supplierIds.add(h.supplierId());
            productIds.add(h.productId());
        });
        rows.forEach(r -> {
            supplierIds.add(r.supplier());
            productIds.add(r.product());
        });
        List<ReportedUsage.Usage> used = new ArrayList<>();
        reportedUsage.forEach(u -> used.addAll(u.of(personId)));
        used.forEach(u -> {
            supplierIds.add(u.supplierId());
            productIds.add(u.productId());
        });
        Map<UUID, String> suppliers = supplierNames(supplierIds);
        Map<UUID, String> products = productNames(productIds);
        Map<List<UUID>, DeletionReceipt> receipts = retention.receiptsOf(personId);
        Map<List<UUID>, Instant> deactivations = new HashMap<>();
        deactivated.forEach(d -> d.of(personId).forEach(a -> deactivations.merge(List.of(a.supplierId(), a.productId()), a.at(),
                (x, y) -> x.isAfter(y) ? x : y)));
        Map<UUID, AgreementRef> agreements = agreements(holdings.stream().map(Holding::agreementId).filter(java.util.Objects::nonNull).toList());
        List<Recipient> recipients = holdings.stream().map(h -> new Recipient(h.supplierId(), suppliers.get(h.supplierId()), h.productId(),
                products.get(h.productId()), h.attributes(), h.firstDisclosedAt(), h.lastDisclosedAt(), h.disclosures(), h.repeats(), h.purpose(),
                h.legalBasis(), h.agreementId(), h.retentionDays(), h.endedOn(), h.retainUntil(), h.deletionState(),
                receipts.get(List.of(h.supplierId(), h.productId())), deactivations.get(List.of(h.supplierId(), h.productId())),
                h.agreementId() == null ? null : agreements.get(h.agreementId()))).toList();
        List<Release> releases = rows.stream().map(r -> new Release(r.sequence(), r.at(), r.supplier(), suppliers.get(r.supplier()), r.product(),
                products.get(r.product()), r.channel(), r.attributes(), r.agreement(), r.legalBasis(), r.purpose())).toList();
        List<UsageLine> usage = used.stream().map(u -> new UsageLine(u.supplierId(), suppliers.get(u.supplierId()), u.productId(),
                products.get(u.productId()), u.firstDay(), u.lastDay(), u.activeDays(), u.lastActiveAt(), u.signIns())).toList();
        audit.record(viewer.username(), "VIEW_DISCLOSURE_REPORT", "person", personId.toString(),
                Map.of("format", format, "recipients", recipients.size()));
        return new PersonReport(person, Instant.now(), viewer.username(), recipients, releases, total, usage);
    }

    /** The agreements named (supplier, product, dates); one no longer known is absent, and shown by its id. */
    private Map<UUID, AgreementRef> agreements(Collection<UUID> ids) {
        AgreementNames source = agreementNames.getIfAvailable();
        if (source == null || ids.isEmpty()) {
            return Map.of();
        }
        Map<UUID, AgreementNames.Agreement> found = source.of(ids);
        Map<UUID, String> suppliers = supplierNames(found.values().stream().map(AgreementNames.Agreement::supplierId).collect(Collectors.toSet()));
        Map<UUID, String> products = productNames(found.values().stream().map(AgreementNames.Agreement::productId).collect(Collectors.toSet()));
        Map<UUID, AgreementRef> named = new HashMap<>();
        found.forEach((id, a) -> named.put(id, new AgreementRef(id, suppliers.get(a.supplierId()), products.get(a.productId()), a.filedOn(),
                a.approvedOn() != null ? a.approvedOn() : a.filedOn(), a.endedOn())));
        return named;
    }

    /**
     * Has anything about any of these persons reached the product's supplier since {@code since}? Whether a licence was
     * used, for cancelling it: once data has left, a cancellation cannot take it back (the holding stays, and its deletion
     * falls due as for any licence that ends). Read from the holdings, one row per person, supplier and product.
     */
    @Transactional(readOnly = true)
    public boolean releasedSince(UUID productId, Collection<UUID> personIds, Instant since) {
        if (personIds.isEmpty()) {
            return false;
        }
        return jdbc.sql("""
                        select exists (select 1 from holding h where h.product_id = :product and h.person_id = any(:persons) and h.last_disclosed_at >= :since)
                        """).param("product", productId).param("persons", personIds.stream().distinct().toArray(UUID[]::new))
                .param("since", java.sql.Timestamp.from(since)).query(Boolean.class).single();
    }

    /** Supplier names by id; an id the catalogue no longer knows shows as itself. */
    @Transactional(readOnly = true)
    public Map<UUID, String> supplierNames(Collection<UUID> ids) {
        Map<UUID, String> names = catalog.suppliers(ids).stream().collect(Collectors.toMap(Supplier::id, Supplier::name, (a, b) -> a));
        ids.forEach(id -> names.putIfAbsent(id, id.toString()));
        return names;
    }

    /** Product titles by id; an id the catalogue no longer knows shows as itself. */
    @Transactional(readOnly = true)
    public Map<UUID, String> productNames(Collection<UUID> ids) {
        Map<UUID, String> names = catalog.products(ids).stream().collect(Collectors.toMap(Product::id, Product::title, (a, b) -> a));
        ids.forEach(id -> names.putIfAbsent(id, id.toString()));
        return names;
    }

    /** What one supplier holds, per product: for how many persons, which attributes for how many, expiring when. */
    public record ProductInventory(UUID productId, String productName, long persons, Map<String, Long> personsPerAttribute, long ended,
                                   long expiringWithin30Days, long overdue, LocalDate nextExpiry, Instant lastDisclosed) {
    }

    public record SupplierInventory(UUID supplierId, String supplierName, long persons, List<ProductInventory> products) {
    }

    /** A supplier in the overview: how many persons it holds data about, through how many products. */
    public record SupplierSummary(UUID supplierId, String supplierName, long persons, long products, long overdue) {
    }

    /** The supplier's inventory; holdings it confirmed deleted are not counted. */
    @Transactional(readOnly = true)
    public SupplierInventory supplierInventory(UUID supplierId, LocalDate today) {
        return supplierInventory(supplierId, today, CallerScope.wholeInstallation());
    }

    /** No such supplier holding data about persons within the viewer's scope: 404, as for a supplier that never existed. */
    @org.springframework.web.bind.annotation.ResponseStatus(org.springframework.http.HttpStatus.NOT_FOUND)
    public static class SupplierNotFound extends RuntimeException {
        SupplierNotFound() {
            super("no such supplier");
        }
    }

    /**
     * The supplier's inventory counted over the holdings about persons placed within {@code scope} only. For a scoped
     * officer a supplier that holds nothing about their persons is not there ({@link SupplierNotFound}); over the whole
     * installation the inventory is answered as it is, empty too.
     */
    @Transactional(readOnly = true)
    public SupplierInventory supplierInventory(UUID supplierId, LocalDate today, CallerScope scope) {
        String within = scope.person("person_id");
        Map<UUID, Map<String, Long>> perAttribute = new LinkedHashMap<>();
        jdbc.sql("""
                        select product_id, a, count(*) from holding, unnest(attributes) a
                        where supplier_id = :supplier and deletion_state is distinct from 'CONFIRMED' and %s group by product_id, a""".formatted(within))
                .params(scope.params()).param("supplier", supplierId)
                .query(rs -> {
                    perAttribute.computeIfAbsent(rs.getObject(1, UUID.class), k -> new TreeMap<>()).put(rs.getString(2), rs.getLong(3));
                });
        record Counts(UUID product, long persons, long ended, long expiring, long overdue, LocalDate next, Instant last) {
        }
        List<Counts> counts = jdbc.sql("""
                        select product_id, count(*), count(ended_on), count(*) filter (where retain_until >= :today and retain_until < :today + 30),
                               count(*) filter (where retain_until < :today), min(retain_until) filter (where retain_until >= :today),
                               max(last_disclosed_at)
                        from holding where supplier_id = :supplier and deletion_state is distinct from 'CONFIRMED' and %s group by product_id""".formatted(within))
                .params(scope.params()).param("supplier", supplierId).param("today", today)
                .query((rs, n) -> new Counts(rs.getObject(1, UUID.class), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                        rs.getObject(6, LocalDate.class), rs.getTimestamp(7).toInstant())).list();
        if (counts.isEmpty() && !scope.isWholeInstallation()) {
            throw new SupplierNotFound();
        }
        long persons = jdbc.sql("select count(distinct person_id) from holding where supplier_id = :supplier and deletion_state is distinct from 'CONFIRMED' and "
                        + within)
                .params(scope.params()).param("supplier", supplierId).query(Long.class).single();
        Map<UUID, String> products = productNames(counts.stream().map(Counts::product).toList());
        List<ProductInventory> inventory = new ArrayList<>();
        for (Counts c : counts) {
            inventory.add(new ProductInventory(c.product(), products.get(c.product()), c.persons(), perAttribute.getOrDefault(c.product(), Map.of()),
                    c.ended(), c.expiring(), c.overdue(), c.next(), c.last()));
        }
        inventory.sort((a, b) -> String.CASE_INSENSITIVE_ORDER.compare(a.productName(), b.productName()));
        return new SupplierInventory(supplierId, supplierNames(List.of(supplierId)).get(supplierId), persons, inventory);
    }

    /** Every supplier that holds anything, by name. */
    @Transactional(readOnly = true)
    public List<SupplierSummary> suppliers(LocalDate today) {
        return suppliers(today, CallerScope.wholeInstallation());
    }

    /**
     * Every supplier that holds anything about persons placed within {@code scope}, by name, counted live over those
     * persons' holdings only (the kept counts of {@link SupplierOverview} are over the whole installation).
     */
    @Transactional(readOnly = true)
    public List<SupplierSummary> suppliers(LocalDate today, CallerScope scope) {
        return named(jdbc.sql(SUPPLIER_COUNTS.formatted(scope.person("person_id"))).params(scope.params()).param("today", today)
                .query((rs, n) -> new SupplierCounts(rs.getObject(1, UUID.class), rs.getLong(2), rs.getLong(3), rs.getLong(4))).list());
    }

    /**
     * Per supplier, over the holdings not confirmed deleted whose person the {@code %s} condition keeps: the persons, the
     * products and the holdings past their deletion date on {@code :today}. Counted live here, and kept by {@link SupplierOverview}.
     */
    static final String SUPPLIER_COUNTS = """
            select supplier_id, count(distinct person_id) as persons, count(distinct product_id) as products,
                   count(*) filter (where retain_until < :today) as overdue
            from holding where deletion_state is distinct from 'CONFIRMED' and %s group by supplier_id""";

    /** One supplier's counts, before its name is looked up. */
    record SupplierCounts(UUID supplier, long persons, long products, long overdue) {
    }

    /** The counts with the suppliers' names, by name. */
    List<SupplierSummary> named(List<SupplierCounts> rows) {
        Map<UUID, String> names = supplierNames(rows.stream().map(SupplierCounts::supplier).toList());
        return rows.stream().map(r -> new SupplierSummary(r.supplier(), names.get(r.supplier()), r.persons(), r.products(), r.overdue()))
                .sorted((a, b) -> String.CASE_INSENSITIVE_ORDER.compare(a.supplierName(), b.supplierName())).toList();
    }

    /**
     * What a recipient received under one data-access agreement, for its re-approval: how many persons, how many of them
     * per attribute, and the last release recorded. Counts only: nobody is named.
     */
    public record ReceivedUnder(long persons, Map<String, Long> personsPerAttribute, Instant lastRelease) {
    }

    /** {@link ReceivedUnder} from the ledger's records of the product {@code productId} released under {@code agreementId}. */
    @Transactional(readOnly = true)
    public ReceivedUnder receivedUnder(UUID productId, UUID agreementId) {
        // by product first (index disclosure_by_product), then the agreement: releases name the agreement they went under
        Map<String, Long> perAttribute = new TreeMap<>();
        jdbc.sql("""
                        select a, count(distinct d.person_id) from disclosure d, unnest(string_to_array(d.attributes, ',')) a
                        where d.product_id = :product and d.agreement_id = :agreement and d.attributes <> '' group by a""")
                .param("product", productId).param("agreement", agreementId)
                .query(rs -> {
                    perAttribute.put(rs.getString(1), rs.getLong(2));
                });
        return jdbc.sql("select count(distinct d.person_id), max(d.disclosed_at) from disclosure d where d.product_id = :product and d.agreement_id = :agreement")
                .param("product", productId).param("agreement", agreementId)
                .query((rs, n) -> new ReceivedUnder(rs.getLong(1), perAttribute, rs.getTimestamp(2) == null ? null : rs.getTimestamp(2).toInstant()))
                .single();
    }

    /**
     * The holdings of one person, most recent first, as shown to {@code viewer} (a data protection officer, on the
     * person's page): a read of who holds what about the person, audited as the full report is.
     */
    @Transactional
    public List<Holding> holdings(UUID personId, LocalDate today, String viewer) {
        List<Holding> holdings = holdingsOf(personId, today);
        audit.record(viewer, "VIEW_DISCLOSURE_REPORT", "person", personId.toString(), Map.of("format", "person-page", "recipients", holdings.size()));
        return holdings;
    }

    private List<Holding> holdingsOf(UUID personId, LocalDate today) {
        return jdbc.sql(HOLDING + " where person_id = :person order by last_disclosed_at desc").param("person", personId)
                .query((rs, n) -> holding(rs, today)).list();
    }

    /**
     * For a breach at a recipient: every holding of the {@code suppliers} held at some time in [{@code from}, {@code to}) —
     * first released before {@code to}, and not confirmed deleted before {@code from} — about a person whose data went to
     * that holding's recipient, before {@code to}, under one of {@code agreements} (those of the breach's organisers), by
     * person; at most {@code limit}. Where the person is placed today does not matter: one who moved away is still listed,
     * one who moved in is not listed for what went under another organiser's agreement. What went without an agreement
     * (MINIMAL on the product's declaration), or under one of {@code wider} (agreements made above the scope, e.g. an
     * organiser-wide one seen by a school's data protection officer), names no unit within the scope in the ledger: it
     * counts for a person within {@code scope} (the directory's scope) today, the best the records allow. The whole
     * installation: every holding.
     */
    @Transactional(readOnly = true)
    public List<Holding> heldDuring(java.util.Collection<UUID> suppliers, Instant from, Instant to, org.tilldela.governance.CallerScope scope,
                                    java.util.Collection<UUID> agreements, java.util.Collection<UUID> wider, LocalDate today, int limit) {
        String underScope = scope.isWholeInstallation() ? "true" : """
                exists (select 1 from disclosure d
                        where d.person_id = h.person_id and d.supplier_id = h.supplier_id and d.product_id = h.product_id and d.disclosed_at < :to
                          and (d.agreement_id = any(cast(:agreements as uuid[]))
                               or ((d.agreement_id is null or d.agreement_id = any(cast(:wider as uuid[]))) and %s)))""".formatted(scope.person("h.person_id"));
        return jdbc.sql(HOLDING + " h where h.supplier_id = any(cast(:suppliers as uuid[])) and h.first_disclosed_at < :to"
                        + " and (h.deletion_confirmed_at is null or h.deletion_confirmed_at >= :from) and " + underScope
                        + " order by h.person_id, h.supplier_id, h.product_id limit :limit")
                .params(scope.params()).param("suppliers", suppliers.toArray(UUID[]::new)).param("agreements", agreements.toArray(UUID[]::new))
                .param("wider", wider.toArray(UUID[]::new)).param("from", java.sql.Timestamp.from(from)).param("to", java.sql.Timestamp.from(to)).param("limit", limit)
                .query((rs, n) -> holding(rs, today)).list();
    }

    static final String HOLDING = """
            select person_id, supplier_id, product_id, first_disclosed_at, last_disclosed_at, attributes, disclosures, repeats, agreement_id, legal_basis,
                   purpose, retention_days, ended_on, retain_until, deletion_state, deletion_requested_at, deletion_confirmed_at from holding""";

    static Holding holding(ResultSet rs, LocalDate today) throws SQLException {
        LocalDate until = rs.getObject("retain_until", LocalDate.class);
        String stored = rs.getString("deletion_state");
        DeletionState state = stored != null ? DeletionState.valueOf(stored)
                : until != null && until.isBefore(today) ? DeletionState.DUE : DeletionState.HELD;
        var requested = rs.getTimestamp("deletion_requested_at");
        var confirmed = rs.getTimestamp("deletion_confirmed_at");
        return new Holding(rs.getObject("person_id", UUID.class), rs.getObject("supplier_id", UUID.class), rs.getObject("product_id", UUID.class),
                rs.getTimestamp("first_disclosed_at").toInstant(), rs.getTimestamp("last_disclosed_at").toInstant(),
                List.of((String[]) rs.getArray("attributes").getArray()), rs.getLong("disclosures"), rs.getLong("repeats"), rs.getObject("agreement_id", UUID.class),
                rs.getString("legal_basis"), rs.getString("purpose"), rs.getInt("retention_days"), rs.getObject("ended_on", LocalDate.class),
                until, state, requested == null ? null : requested.toInstant(), confirmed == null ? null : confirmed.toInstant());
    }
}
