package org.tilldela.desk;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Service;
import org.tilldela.access.DataAccessAgreement;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.CallerScope;
import org.tilldela.governance.Scopes;
import org.tilldela.ledger.OverdueDeletion;
import org.tilldela.ledger.Retention;
import org.tilldela.purchase.AdequacyEntry;
import org.tilldela.purchase.AdequacyList;
import org.tilldela.purchase.Orders;

/**
 * What the data protection officer's overview counts and lists, each within the caller's scope: the
 * DATA_PROTECTION_OFFICER grant's, or everything for a whole-installation grant of it or of ACCOUNT_ADMIN.
 *
 * <ul>
 *   <li>Suppliers without a valid processing agreement: none in force today covering an organiser within scope
 *       (over the whole installation: none in force at all).</li>
 *   <li>Agreements expiring within 60 days that cover an organiser within scope.</li>
 *   <li>Third-country processing: suppliers processing (themselves or through a sub-processor) outside the EU/EEA,
 *       with or without an adequacy decision in force. Catalogue facts, the same in every scope.</li>
 *   <li>Overdue deletions about persons placed within scope: the ledger's own query ({@code Retention}). A person who
 *       left is in no unit any more, so their overdue deletions reach a whole-installation caller only.</li>
 *   <li>Protected persons looked at in the last 7 days and by whom: the audit trail, persons within scope.</li>
 *   <li>Held orders (awaiting the officer's approval) placed for a unit within scope: filtered and counted in the purchase
 *       module's query (its one rule for what an officer sees), as the approvals page lists them.</li>
 *   <li>Pending data-access requests for a unit within scope.</li>
 *   <li>Data-access agreements at a unit within scope that come up for re-approval soon, or lapsed ({@link AgreementReapprovals}).</li>
 * </ul>
 */
@Service
public class DpoDesk {

    public enum Tile { NO_AGREEMENT, AGREEMENTS_EXPIRING, THIRD_COUNTRY, OVERDUE_DELETIONS, PROTECTED_VIEWS, HELD_ORDERS, PENDING_REQUESTS, REAPPROVALS_DUE }

    /** A tile of the overview: the count, or null where the caller's scope does not reach the list. */
    public record Count(Tile tile, Long count) {
    }

    /** One line of a list: its cells as text, and where the record's own page is (null: none). */
    public record Row(List<String> cells, String link) {
    }

    /** A list behind a tile: column keys (message keys) and lines, at most {@link #MAX_ROWS}. */
    public record Listing(Tile tile, List<String> columns, List<Row> rows, boolean truncated) {
    }

    public static final int MAX_ROWS = 500;
    static final int EXPIRING_DAYS = 60;
    static final Duration PROTECTED_VIEWS_SINCE = Duration.ofDays(7);

    private final Scopes scopes;
    private final Catalog catalog;
    private final AdequacyList adequacy;
    private final Retention retention;
    private final AuditTrail audit;
    private final Orders orders;
    private final DataAccessAgreements access;
    private final AgreementReapprovals reapprovals;
    private final Clock clock;

    DpoDesk(Scopes scopes, Catalog catalog, AdequacyList adequacy, Retention retention, AuditTrail audit, Orders orders, DataAccessAgreements access,
            AgreementReapprovals reapprovals, java.util.Optional<Clock> clock) {
        this.reapprovals = reapprovals;
        this.scopes = scopes;
        this.catalog = catalog;
        this.adequacy = adequacy;
        this.retention = retention;
        this.audit = audit;
        this.orders = orders;
        this.access = access;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /** The scope the desk answers within: a whole-installation ACCOUNT_ADMIN sees everything, others their DPO grant's scope. */
    CallerScope scope(Authentication caller) {
        if (scopes.of(caller, AdminRight.ACCOUNT_ADMIN).isWholeInstallation()) {
            return CallerScope.wholeInstallation();
        }
        return scopes.of(caller, AdminRight.DATA_PROTECTION_OFFICER);
    }

    public List<Count> overview(Authentication caller) {
        CallerScope scope = scope(caller);
        Predicate<UUID> within = scopes.unitTest(scope);
        LocalDate today = LocalDate.now(clock);
        List<Supplier> suppliers = catalog.allSuppliers();
        List<Count> counts = new ArrayList<>();
        counts.add(new Count(Tile.NO_AGREEMENT, (long) withoutAgreement(suppliers, scope, within, today).size()));
        counts.add(new Count(Tile.AGREEMENTS_EXPIRING, (long) expiring(suppliers, within, today).size()));
        counts.add(new Count(Tile.THIRD_COUNTRY, (long) thirdCountry(suppliers).size()));
        counts.add(new Count(Tile.OVERDUE_DELETIONS, retention.overdueCount(today, scope)));
        counts.add(new Count(Tile.PROTECTED_VIEWS, protectedViews(scope, 0, 1).total()));
        counts.add(new Count(Tile.HELD_ORDERS, orders.countAwaitingApproval(scope)));
        counts.add(new Count(Tile.PENDING_REQUESTS, (long) pending(scope).size()));
        counts.add(new Count(Tile.REAPPROVALS_DUE, (long) reapprovals.due(scope).size()));
        return counts;
    }

    /** The list behind a tile; empty rows where the scope does not reach it (see the class comment). */
    public Listing list(Authentication caller, Tile tile) {
        CallerScope scope = scope(caller);
        Predicate<UUID> within = scopes.unitTest(scope);
        LocalDate today = LocalDate.now(clock);
        return switch (tile) {
            case NO_AGREEMENT -> listing(tile, List.of("desk.col.supplier", "desk.col.organisationNumber", "desk.col.agreements"),
                    withoutAgreement(catalog.allSuppliers(), scope, within, today).stream().map(s -> new Row(List.of(s.name(), s.organisationNumber(),
                            s.processingAgreements().stream().map(a -> a.documentName() + " (" + a.signedOn() + " – "
                                    + (a.validUntil() == null ? "" : a.validUntil()) + ")").collect(Collectors.joining("; "))),
                            "/catalog/suppliers/" + s.id())).toList());
            case AGREEMENTS_EXPIRING -> listing(tile, List.of("desk.col.supplier", "desk.col.agreement", "desk.col.validUntil"),
                    expiring(catalog.allSuppliers(), within, today).stream().map(e -> new Row(List.of(e.supplier().name(), e.agreement().documentName(),
                            e.agreement().validUntil().toString()), "/catalog/suppliers/" + e.supplier().id())).toList());
            case THIRD_COUNTRY -> listing(tile, List.of("desk.col.supplier", "desk.col.countries", "desk.col.adequacy"),
                    thirdCountry(catalog.allSuppliers()).stream().map(t -> new Row(List.of(t.supplier().name(), String.join(", ", t.countries()),
                            t.withoutDecision().isEmpty() ? "✓" : String.join(", ", t.withoutDecision())), "/catalog/suppliers/" + t.supplier().id())).toList());
            case OVERDUE_DELETIONS -> listing(tile, List.of("desk.col.person", "desk.col.supplier", "desk.col.retainUntil", "desk.col.daysOverdue"),
                    overdue(today, scope));
            case PROTECTED_VIEWS -> listing(tile, List.of("desk.col.when", "desk.col.who", "desk.col.person"),
                    protectedViews(scope, 0, MAX_ROWS + 1).events().stream().map(e -> new Row(List.of(e.occurredAt().toString(), e.actor(),
                            e.targetId()), "/ledger/persons/" + e.targetId())).toList());
            case HELD_ORDERS -> listing(tile, List.of("desk.col.order", "desk.col.buyer", "desk.col.placedAt"),
                    orders.awaitingApproval(scope).stream().map(o -> new Row(List.of(Long.toString(o.number()), o.buyer(), o.placedAt().toString()),
                            "/purchase/approvals/" + o.id())).toList());
            case PENDING_REQUESTS -> {
                List<DataAccessAgreement> requests = pending(scope);
                Map<UUID, String> names = catalog.suppliers(requests.stream().map(DataAccessAgreement::supplierId).collect(Collectors.toSet())).stream()
                        .collect(Collectors.toMap(Supplier::id, Supplier::name));
                yield listing(tile, List.of("desk.col.supplier", "desk.col.package", "desk.col.filedAt"),
                        requests.stream().map(r -> new Row(List.of(names.getOrDefault(r.supplierId(), "?"), r.attributePackage().name(),
                                r.filedAt().toString()), "/access/requests/" + r.id())).toList());
            }
            // the re-approval page is the school's (its access administrator's): the officer sees the list, the link leads there
            case REAPPROVALS_DUE -> listing(tile, List.of("desk.col.supplier", "access.col.product", "access.col.scope", "gov3.reapproval.due",
                            "access.col.state"),
                    reapprovals.due(scope).stream().map(d -> new Row(List.of(d.supplierName(), d.productTitle(), d.scopeName(),
                            d.agreement().reapprovalDue().toString(), d.agreement().state().name()), "/access/reapprovals/" + d.agreement().id())).toList());
        };
    }

    private static Listing listing(Tile tile, List<String> columns, List<Row> rows) {
        return new Listing(tile, columns, rows.stream().limit(MAX_ROWS).toList(), rows.size() > MAX_ROWS);
    }

    /** The organisers an agreement must cover for the scope: any organiser (whole installation) or one within it. */
    private static List<Supplier> withoutAgreement(List<Supplier> suppliers, CallerScope scope, Predicate<UUID> within, LocalDate today) {
        return suppliers.stream().filter(s -> s.processingAgreements().stream()
                        .noneMatch(a -> inForce(a, today) && (scope.isWholeInstallation() ? !a.organisers().isEmpty() : a.organisers().stream().anyMatch(within))))
                .sorted(Comparator.comparing(Supplier::name)).toList();
    }

    private static boolean inForce(Supplier.ProcessingAgreement a, LocalDate today) {
        return !today.isBefore(a.signedOn()) && (a.validUntil() == null || !today.isAfter(a.validUntil()));
    }

    record Expiring(Supplier supplier, Supplier.ProcessingAgreement agreement) {
    }

    private static List<Expiring> expiring(List<Supplier> suppliers, Predicate<UUID> within, LocalDate today) {
        LocalDate horizon = today.plusDays(EXPIRING_DAYS);
        return suppliers.stream().flatMap(s -> s.processingAgreements().stream()
                        .filter(a -> inForce(a, today) && a.validUntil() != null && !a.validUntil().isAfter(horizon) && a.organisers().stream().anyMatch(within))
                        .map(a -> new Expiring(s, a)))
                .sorted(Comparator.comparing((Expiring e) -> e.agreement().validUntil()).thenComparing(e -> e.supplier().name())).toList();
    }

    record ThirdCountry(Supplier supplier, Set<String> countries, List<String> withoutDecision) {
    }

    private List<ThirdCountry> thirdCountry(List<Supplier> suppliers) {
        LocalDate today = LocalDate.now(clock);
        List<AdequacyEntry> entries = adequacy.all();
        Set<String> eea = entries.stream().filter(e -> e.basis() == AdequacyEntry.Basis.EU_EEA).map(AdequacyEntry::country).collect(Collectors.toSet());
        Set<String> adequate = entries.stream().filter(e -> e.basis() == AdequacyEntry.Basis.ADEQUACY_DECISION && e.validOn(today))
                .map(AdequacyEntry::country).collect(Collectors.toSet());
        return suppliers.stream().map(s -> {
                    Set<String> third = s.allProcessingCountries().stream().filter(c -> !eea.contains(c)).collect(Collectors.toCollection(java.util.TreeSet::new));
                    return new ThirdCountry(s, third, third.stream().filter(c -> !adequate.contains(c)).toList());
                }).filter(t -> !t.countries().isEmpty())
                .sorted(Comparator.comparing(t -> t.supplier().name())).toList();
    }

    /** About persons placed within {@code scope} only: the ledger filters by it in SQL, as its own deletions page does. */
    private List<Row> overdue(LocalDate today, CallerScope scope) {
        List<OverdueDeletion> overdue = retention.overdueDeletions(today, MAX_ROWS + 1, scope);
        Map<UUID, String> names = catalog.suppliers(overdue.stream().map(OverdueDeletion::supplierId).collect(Collectors.toSet())).stream()
                .collect(Collectors.toMap(Supplier::id, Supplier::name));
        // the person by id only: the ledger's person page names them, masked as the viewer's rights say
        return overdue.stream().map(d -> new Row(List.of(d.personId().toString(), names.getOrDefault(d.supplierId(), "?"), d.retainUntil().toString(),
                Long.toString(d.daysOverdue())), "/ledger/persons/" + d.personId())).toList();
    }

    private AuditTrail.EventPage protectedViews(CallerScope scope, int page, int size) {
        Instant since = clock.instant().minus(PROTECTED_VIEWS_SINCE);
        // a week's views of protected persons (few, by the time index): counted exactly for the overview's tile
        return audit.search(new AuditTrail.Search(null, "VIEW_PROTECTED_PERSON", "person", null, since, null), List.of(scope), page, size, Long.MAX_VALUE);
    }

    /** Filtered in the access module's query (its one rule for what a caller sees), not after: a limit then counts only what is within. */
    private List<DataAccessAgreement> pending(CallerScope scope) {
        return access.list(scope, DataAccessAgreement.State.REQUESTED, null, 5_000);
    }
}
