package org.tilldela.desk;

import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Service;
import org.tilldela.access.DataAccessAgreement;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.CallerScope;
import org.tilldela.governance.Scopes;
import org.tilldela.ledger.LedgerReports;
import org.tilldela.usage.Utilisation;
import org.tilldela.usage.Viewer;

/**
 * Data flows reviewed (issue 11): every data-access agreement comes up for re-approval by the school, and its page is the
 * documented overview of the product's processing the Danish data protection authority's 2024 order asks for — what the
 * supplier received (the ledger: attributes and how many persons, the last release), how much the product was used (the
 * usage module's seats assigned and used per school unit, over the last year) and the agreement's terms. The school's
 * access administrator, within their scope, re-approves it or narrows it; unanswered it lapses to MINIMAL
 * ({@link DataAccessAgreements#lapseOverdue}). It lives on the desk because it reads access, ledger and usage together,
 * and none of those may depend on another.
 */
@Service
public class AgreementReapprovals {

    /** Reminders show this many days before the re-approval date. */
    public static final int REMIND_DAYS = DataAccessAgreements.REMIND_DAYS;
    static final int MAX_LISTED = 5_000;

    /** The review page's facts: the agreement with names, what went under it, how much the product was used, days left. */
    public record Overview(DataAccessAgreement agreement, String supplierName, String productTitle, String articleNumber, String scopeName,
                           LedgerReports.ReceivedUnder received, List<Utilisation.UnitLine> usage, LocalDate usageFrom, LocalDate usageTo,
                           long daysLeft, Set<Attribute> declared) {
        public boolean lapsed() {
            return agreement.state() == DataAccessAgreement.State.LAPSED;
        }
    }

    /** A line of the re-approval list (and the reminders): the agreement with the names a person reads. */
    public record Due(DataAccessAgreement agreement, String supplierName, String productTitle, String scopeName, long daysLeft) {
    }

    private final Scopes scopes;
    private final DataAccessAgreements access;
    private final Catalog catalog;
    private final OrganisationBrowser organisations;
    private final LedgerReports ledger;
    private final Utilisation utilisation;
    private final Clock clock;

    AgreementReapprovals(Scopes scopes, DataAccessAgreements access, Catalog catalog, OrganisationBrowser organisations, LedgerReports ledger,
                         Utilisation utilisation, Optional<Clock> clock) {
        this.scopes = scopes;
        this.access = access;
        this.catalog = catalog;
        this.organisations = organisations;
        this.ledger = ledger;
        this.utilisation = utilisation;
        this.clock = clock.orElse(Clock.systemDefaultZone());
    }

    /** The agreements within the caller's ACCESS_ADMIN scope due for re-approval within {@link #REMIND_DAYS}, or lapsed. */
    public List<Due> due(Authentication caller) {
        return due(scopes.of(caller, AdminRight.ACCESS_ADMIN));
    }

    /**
     * The same for the data protection officer's desk: within the DPO's scope ({@code scope}, as the desk decides it). The
     * scope is in the query, so other organisers' agreements (lapsed ones pile up) never crowd the list's limit.
     */
    List<Due> due(CallerScope scope) {
        LocalDate today = LocalDate.now(clock);
        List<DataAccessAgreement> due = scope.isNothing() ? List.of() : access.dueForReapproval(scope, MAX_LISTED);
        var suppliers = ledger.supplierNames(due.stream().map(DataAccessAgreement::supplierId).distinct().toList());
        var products = ledger.productNames(due.stream().map(DataAccessAgreement::productId).distinct().toList());
        return due.stream().map(a -> new Due(a, suppliers.getOrDefault(a.supplierId(), "?"), products.getOrDefault(a.productId(), "?"),
                scopeName(a.scopeId()), daysLeft(a, today))).toList();
    }

    private static long daysLeft(DataAccessAgreement a, LocalDate today) {
        return java.time.temporal.ChronoUnit.DAYS.between(today, a.reapprovalDue());
    }

    private String scopeName(UUID scope) {
        return organisations.organisation(scope).map(OrganisationBrowser.Organisation::name).orElse("?");
    }

    /**
     * An agreement that comes up for re-approval, if the caller's ACCESS_ADMIN scope sees it (the access module's one rule);
     * empty otherwise (404). Whether they may also re-approve it is {@link #mayReapprove}.
     */
    public Optional<DataAccessAgreement> find(Authentication caller, UUID id) {
        return access.agreement(scopes.of(caller, AdminRight.ACCESS_ADMIN), id).filter(DataAccessAgreement::isDueForReapproval);
    }

    /** A grant narrowed to school forms sees the agreements at the units it covers, but an agreement reaches every form there. */
    public boolean mayReapprove(Authentication caller, UUID id) {
        return access.mayDecide(scopes.of(caller, AdminRight.ACCESS_ADMIN), id);
    }

    /** The overview of the processing under the agreement, for its re-approval page. */
    public Overview overview(DataAccessAgreement agreement) {
        LocalDate today = LocalDate.now(clock);
        Optional<Product> product = catalog.product(agreement.productId());
        String supplier = catalog.supplier(agreement.supplierId()).map(Supplier::name).orElse("?");
        // the usage of the agreement's scope as a buyer of it sees it: an organiser's, all its units; a school unit's, its own
        List<OrganisationBrowser.UnitName> trail = organisations.ancestry(agreement.scopeId());
        UUID organiser = trail.isEmpty() ? agreement.scopeId() : trail.getFirst().id();
        LocalDate from = today.minusYears(1);
        List<Utilisation.UnitLine> usage = utilisation.units(Viewer.buyer(agreement.scopeId(), organiser), agreement.productId(), from, today);
        return new Overview(agreement, supplier, product.map(Product::title).orElse("?"), product.map(Product::articleNumber).orElse(""),
                scopeName(agreement.scopeId()), ledger.receivedUnder(agreement.productId(), agreement.id()), usage, from, today,
                daysLeft(agreement, today), product.map(Product::declaredAttributes).orElse(Set.of()));
    }

    /** Re-approves (or narrows) an agreement within the caller's scope; empty when it is not theirs to see (404). */
    public Optional<DataAccessAgreement> reapprove(Authentication caller, UUID id, Set<Attribute> attributes, String reason) {
        return find(caller, id).map(a -> access.reapprove(scopes.of(caller, AdminRight.ACCESS_ADMIN), a.id(), attributes, reason, caller.getName()));
    }
}
