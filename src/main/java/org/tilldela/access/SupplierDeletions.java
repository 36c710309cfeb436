package org.tilldela.access;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.governance.AuditTrail;
import org.tilldela.ledger.Retention;
import org.tilldela.ledger.SupplierConfirmation;
import org.tilldela.ledger.SupplierDeletion;

/**
 * Deletion requests through the supplier's API door, for suppliers Tilldela does not reach over SCIM:
 * the supplier fetches what it must delete — fetching IS the request, recorded in the ledger's receipt —
 * and confirms each deletion. A person is named by this supplier's pairwise pseudonym, the id the supplier
 * itself knows them by: nothing is released anew (the ledger lists only holdings that include the
 * pseudonymous id), and no name, e-mail or other attribute goes out.
 */
@Service
public class SupplierDeletions {

    /** One deletion the supplier must carry out. {@code dueDate}: the first day it is due, the day after the retention ran out. */
    public record Deletion(UUID id, UUID pseudonymousId, UUID productId, LocalDate dueDate, Instant requestedAt) {
    }

    public record Page(long total, List<Deletion> deletions) {
    }

    private final Retention retention;
    private final Pseudonyms pseudonyms;
    private final AuditTrail audit;
    private final Clock clock;

    SupplierDeletions(Retention retention, Pseudonyms pseudonyms, AuditTrail audit, Optional<Clock> clock) {
        this.retention = retention;
        this.pseudonyms = pseudonyms;
        this.audit = audit;
        this.clock = clock.orElse(Clock.systemDefaultZone());
    }

    /** One page of what the supplier must delete, oldest first; those not requested before are requested now (audited). */
    @Transactional
    public Page fetch(UUID supplierId, String clientId, int limit, int offset) {
        LocalDate today = LocalDate.now(clock);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        List<SupplierDeletion> page = retention.requestThroughSupplierApi(supplierId, today, now, limit, offset);
        long total = retention.supplierDeletionCount(supplierId, today);
        long requestedNow = page.stream().filter(d -> d.requestedAt().equals(now)).count();
        List<Deletion> deletions = page.stream().map(d -> new Deletion(d.requestId(), pseudonyms.of(d.personId(), supplierId), d.productId(),
                d.retainUntil().plusDays(1), d.requestedAt())).toList();
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("client", clientId);
        detail.put("listed", deletions.size());
        detail.put("requestedNow", requestedNow);
        audit.record("supplier:" + clientId, "SUPPLIER_DELETIONS_FETCHED", "supplier", supplierId.toString(), detail);
        return new Page(total, deletions);
    }

    /**
     * The supplier confirms one deletion (idempotent: again, and the first confirmation stands). Empty when
     * the request is not this supplier's. Audited, whatever the outcome.
     */
    @Transactional
    public Optional<SupplierConfirmation> confirm(UUID supplierId, String clientId, UUID requestId) {
        Optional<SupplierConfirmation> outcome = retention.confirmThroughSupplierApi(supplierId, requestId, clock.instant().truncatedTo(ChronoUnit.MICROS), clientId); // as PostgreSQL keeps it: the answer shows what is stored
        outcome.ifPresent(c -> audit.record("supplier:" + clientId, "SUPPLIER_DELETION_CONFIRMED", "deletion_request", requestId.toString(),
                Map.of("client", clientId, "supplier", supplierId.toString(), "product", c.productId().toString(), "outcome", c.outcome().name())));
        return outcome;
    }
}
