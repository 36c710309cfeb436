package org.tilldela.ledger;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Set;
import java.util.UUID;
import org.tilldela.catalog.Attribute;

/** A disclosure as stored in the ledger, with its place in the chain and its hashes. */
public record LedgerRecord(long sequence, UUID personId, UUID supplierId, UUID productId, Channel channel,
                           Set<Attribute> attributes, UUID agreementId, String legalBasis, String purpose,
                           Instant disclosedAt, int retentionDays, LocalDate retainUntil, byte[] prevHash, byte[] hash) {
}
