package org.tilldela.ledger;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Set;
import java.util.UUID;
import org.tilldela.catalog.Attribute;

/**
 * One release of personal data about one person to one recipient. {@code attributes} are the names
 * released, never their values.
 *
 * @param agreementId   the data-access agreement it was released under; null when there is none (MINIMAL by
 *                      the product's declaration)
 * @param retentionDays how long the recipient may keep the data after the relation ends
 * @param retainUntil   when already known: the end of the relation plus the retention; otherwise null
 */
public record Disclosure(UUID personId, UUID supplierId, UUID productId, Channel channel, Set<Attribute> attributes,
                         UUID agreementId, String legalBasis, String purpose,
                         Instant disclosedAt, int retentionDays, LocalDate retainUntil) {
}
