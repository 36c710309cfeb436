package org.tilldela.purchase;

import java.time.Instant;
import java.time.LocalDate;

/**
 * How far the publisher has come with an order line that went to it (BOL, Beställning och Leverans): the buyer sees
 * it on the order. {@code licenceKeys}: how many keys the publisher gave (the keys stay with the connector).
 */
public record LineDelivery(Status status, LocalDate deliveryDate, LocalDate validFrom, LocalDate validTo, int licenceKeys, String message,
                           Instant updatedAt) {

    public enum Status {
        /** Waiting to be sent (or sent again after a failed attempt). */
        QUEUED,
        /** The publisher took it and works on it; its answer comes later. */
        BEING_PROCESSED,
        /** Delayed by the publisher, expected on {@code deliveryDate} when given. */
        BACKORDERED,
        /** Delivered: final, never changed after. */
        DELIVERED,
        /** The publisher could not fulfil it; {@code message} says why. */
        FAILED,
        /** It did not reach the publisher: refused, or every attempt failed ({@code message}); it can be sent again. */
        NOT_SENT
    }

    public boolean waiting() {
        return status == Status.QUEUED || status == Status.BEING_PROCESSED || status == Status.BACKORDERED;
    }
}
