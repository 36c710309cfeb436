package org.tilldela.licensing;

import java.time.LocalDate;
import java.util.UUID;

/**
 * A person no longer holds a licence for a product (the pupil left and the grace period passed, the
 * assignment was withdrawn, the pool's period or trial ran out). From this day the supplier's retention
 * period for what it received about the person starts to run.
 */
public record LicenceEnded(UUID personId, UUID productId, LocalDate endedOn) {
}
