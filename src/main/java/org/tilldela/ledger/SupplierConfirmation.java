package org.tilldela.ledger;

import java.time.Instant;
import java.util.UUID;

/** What a supplier's confirmation of a deletion request through its API door did. */
public record SupplierConfirmation(Outcome outcome, UUID requestId, UUID productId, Instant confirmedAt) {

    public enum Outcome {
        /** Recorded now. */
        CONFIRMED,
        /** Confirmed before (a repeated confirmation changes nothing: the first time stays). */
        ALREADY_CONFIRMED,
        /** The request is no longer current: the person's data was released to the supplier again since. Nothing recorded. */
        SUPERSEDED
    }
}
