package org.tilldela.ledger;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

/**
 * What suppliers reported back about a person's use of their products, as it is still kept per person: told
 * by the module that keeps it (usage), so that the per-person report also answers "what do they know about how
 * I used it" without the ledger knowing how usage is stored.
 */
public interface ReportedUsage {

    /** Per supplier and product: the days the person was reported active or signed in, first to last, still kept. */
    List<Usage> of(UUID personId);

    /**
     * {@code lastActiveAt}: the latest time reported, null when the supplier reported none. {@code signIns}: how often
     * the person signed in to the product through Tilldela on those days (Tilldela's own count, not the supplier's).
     */
    record Usage(UUID supplierId, UUID productId, LocalDate firstDay, LocalDate lastDay, long activeDays, Instant lastActiveAt, long signIns) {
    }
}
