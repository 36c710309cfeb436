package org.tilldela.purchase;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

/**
 * An order went through (placed, or let through by the data protection officer): its pools exist. Published in the
 * placing transaction, so whoever passes the order on to the publisher (a BOL connector) queues it with the order, or
 * neither happens.
 *
 * @param scopeId the organisation the order was bought for (the buyer's scope: an organiser or a school unit)
 */
public record OrderPlaced(UUID orderId, long number, UUID organiserId, UUID scopeId, List<Line> lines) {

    public OrderPlaced {
        lines = List.copyOf(lines);
    }

    /**
     * A line as bought. {@code seats} null: as many as the recipients or unlimited; {@code recipients} the seats the
     * pool was filled with when the order went through.
     */
    public record Line(UUID lineId, UUID productId, String articleNumber, Integer seats, int recipients, BigDecimal unitPrice, String currency,
                       LocalDate startsOn, LocalDate endsOn, boolean trial) {
    }
}
