package org.tilldela.ledger;

import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;

/**
 * One deletion a supplier must carry out, as its API door lists it: the request's id (to confirm it by),
 * whom (for the access module to name by this supplier's pseudonym), which product, since when due.
 */
public record SupplierDeletion(UUID requestId, UUID personId, UUID productId, LocalDate retainUntil, Instant requestedAt) {
}
