package org.tilldela.ledger;

import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

/** A recipient whose retention for a person's data ran out: a deletion request is due (or was sent and is not confirmed). */
public record DeletionDue(UUID personId, UUID supplierId, UUID productId, List<String> attributes, LocalDate endedOn,
                          LocalDate retainUntil, long daysOverdue, DeletionState state) {
}
