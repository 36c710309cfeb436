package org.tilldela.licensing;

import java.time.LocalDate;
import java.util.Objects;
import java.util.UUID;

/**
 * A licence pool to create: one per order line (or a trial). {@code scopeId} is the organisation it is
 * bought for — the organiser itself or one of its school units; rules never reach anyone outside it.
 * {@code seats} null means unlimited, allowed only for products licensed per school unit or per organiser;
 * otherwise at least 1.
 * {@code endsOn} is the last valid day (inclusive).
 */
public record NewPool(UUID productId, UUID organiserId, UUID scopeId, Integer seats, LocalDate startsOn, LocalDate endsOn, boolean trial,
                      UUID orderLineId, String createdBy) {

    public NewPool {
        Objects.requireNonNull(productId, "productId");
        Objects.requireNonNull(organiserId, "organiserId");
        Objects.requireNonNull(startsOn, "startsOn");
        Objects.requireNonNull(endsOn, "endsOn");
        Objects.requireNonNull(createdBy, "createdBy");
        if (scopeId == null) {
            scopeId = organiserId;
        }
        // a pool of no seats gives nobody anything and hides the mistake; unlimited is said with null
        if (seats != null && seats <= 0) {
            throw new PoolRefused(PoolRefused.Reason.of("seats", "A pool needs at least 1 seat (no number: unlimited, for products licensed per school unit or organiser).",
                    String.valueOf(seats)));
        }
        if (endsOn.isBefore(startsOn)) {
            throw new IllegalArgumentException("a pool cannot end before it starts");
        }
    }
}
