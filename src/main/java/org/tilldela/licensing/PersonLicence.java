package org.tilldela.licensing;

import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;

/**
 * One licence of a person, as shown to administrators (and later to the person): the product, the pool it
 * comes from, its state (ACTIVE, GRACE — the person left and keeps it until {@code graceUntil} —, ENDED)
 * and how it came (DIRECT, RULE, PROFILE).
 */
public record PersonLicence(UUID poolId, UUID productId, String productTitle, String state, String source, UUID ruleId, Instant assignedAt,
                            LocalDate validFrom, LocalDate validUntil, boolean trial, LocalDate graceUntil, LocalDate endedOn) {
}
