package org.tilldela.purchase;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A line to order: a product, who it is for, how many seats (null: as many as the recipients for a
 * product licensed per user, unlimited for one licensed per school unit or organiser; for a printed
 * product the number of copies), and whether it is the product's trial.
 */
public record OrderLineRequest(UUID productId, List<Recipient> recipients, Integer seats, boolean trial) {
    public OrderLineRequest {
        Objects.requireNonNull(productId, "productId");
        recipients = recipients == null ? List.of() : List.copyOf(recipients);
        if (seats != null && seats <= 0) {
            throw new IllegalArgumentException("The number of seats must be at least 1.");
        }
    }
}
