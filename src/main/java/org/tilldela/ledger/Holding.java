package org.tilldela.ledger;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

/**
 * What one recipient (supplier, product) holds about one person, as the ledger shows it: every attribute
 * ever released to it, since when, why (agreement, legal basis, purpose of the latest release), and
 * until when.
 *
 * @param disclosures every release to this recipient, chained or counted
 * @param repeats the releases among them that repeated the latest identical release and so got no chain record
 * @param retainUntil the day after which the recipient must have deleted; null while the relation lasts
 */
public record Holding(UUID personId, UUID supplierId, UUID productId, Instant firstDisclosedAt, Instant lastDisclosedAt,
                      List<String> attributes, long disclosures, long repeats, UUID agreementId, String legalBasis, String purpose,
                      int retentionDays, LocalDate endedOn, LocalDate retainUntil, DeletionState deletionState,
                      Instant deletionRequestedAt, Instant deletionConfirmedAt) {
}
