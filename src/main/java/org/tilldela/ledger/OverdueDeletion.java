package org.tilldela.ledger;

import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

/**
 * A deletion the data protection officer must chase: the retention ran out and the recipient has not
 * confirmed; {@code attributes} are the names of what it holds. {@code receipt} is null while no request was sent (state DUE).
 */
public record OverdueDeletion(UUID personId, UUID supplierId, UUID productId, List<String> attributes, LocalDate endedOn, LocalDate retainUntil, long daysOverdue,
                              DeletionState state, DeletionReceipt receipt) {
}
