package org.tilldela.purchase;

import java.time.Instant;
import java.util.UUID;

/** The organisation a buyer account buys for (an organiser or one school unit), and the organiser above it. */
public record BuyerScope(String username, UUID organisationId, String organisationName, UUID organiserId, String setBy, Instant setAt) {
}
