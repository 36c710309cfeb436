package org.tilldela.ledger;

import java.time.Instant;
import java.util.UUID;

/**
 * The receipt of one deletion request: when and how it was sent, the supplier's latest answer (HTTP status
 * and a short text, never personal data), and when the supplier confirmed.
 *
 * @param answerStatus null when nothing was answered yet, or when the supplier confirmed through its API door
 * @param confirmedAt null while not confirmed
 */
public record DeletionReceipt(UUID requestId, DeletionChannel channel, Instant sentAt, Instant answeredAt, Integer answerStatus, String answer,
                              Instant confirmedAt) {

    public boolean confirmed() {
        return confirmedAt != null;
    }
}
