package org.tilldela.licensing;

import java.time.LocalDate;
import java.util.Objects;
import java.util.UUID;

/**
 * A licence pool to create: one per order line (or a trial). {@code scopeId} is the organisation it is
 * bought for — the organiser itself or one of its school units; rules never reach anyone outside it.
 * {@code seats} null means unlimited, allowed only for products licensed per school unit or per organiser.
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
        if (seats != null && seats < 0) {
            throw new IllegalArgumentException("seats cannot be negative");
        }
        if (endsOn.isBefore(startsOn)) {
            throw new IllegalArgumentException("a pool cannot end before it starts");
        }
    }
}
