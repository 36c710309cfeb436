package org.tilldela.purchase;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.tilldela.catalog.Attribute;

/** A placed (or held, or declined) order with its lines as bought: product and price snapshot, seats, recipients, the pool created. */
public record Order(UUID id, long number, String buyer, UUID organiserId, UUID scopeId, Status status, Instant placedAt, Instant fulfilledAt,
                    List<Line> lines, Approval approval) {

    /** CANCELLED: every line was cancelled before its licences were used. */
    public enum Status { PLACED, AWAITING_APPROVAL, DECLINED, CANCELLED }

    public Order {
        lines = List.copyOf(lines);
    }

    public record Line(UUID id, int position, UUID productId, String articleNumber, String title, BigDecimal unitPrice, String currency,
                       Integer seats, boolean trial, LocalDate startsOn, LocalDate endsOn, Verdict.Outcome verdict, List<String> reasons,
                       UUID poolId, List<Recipient> recipients, Instant cancelledAt) {
        public Line {
            reasons = List.copyOf(reasons);
            recipients = List.copyOf(recipients);
        }

        public boolean cancelled() {
            return cancelledAt != null;
        }

        public BigDecimal total() {
            return seats == null ? unitPrice : unitPrice.multiply(BigDecimal.valueOf(seats));
        }
    }

    /** The data protection officer's decision on an order held for it; {@code attributes}: what went beyond the policy. */
    public record Approval(UUID orderId, UUID organiserId, Set<Attribute> attributes, String state, Instant requestedAt, String decidedBy,
                           Instant decidedAt, String reason) {
        public Approval {
            attributes = Set.copyOf(attributes);
        }

        public boolean pending() {
            return "PENDING".equals(state);
        }
    }

    public BigDecimal total() {
        return lines.stream().map(Line::total).reduce(BigDecimal.ZERO, BigDecimal::add);
    }
}
