package org.tilldela.purchase;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A line in a buyer's cart: a product, its recipients so far, seats (null: as many as the recipients) and whether it is a trial. */
public record CartLine(UUID id, String buyer, UUID productId, Integer seats, boolean trial, Instant addedAt, List<Recipient> recipients) {
    public CartLine {
        recipients = List.copyOf(recipients);
    }

    public OrderLineRequest toRequest() {
        return new OrderLineRequest(productId, recipients, seats, trial);
    }
}
