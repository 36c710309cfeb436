package org.tilldela.licensing;

import java.time.LocalDate;
import java.util.UUID;

/** A person now holds a licence for a product from a licence pool, valid until the given day (inclusive). */
public record LicenceGranted(UUID personId, UUID productId, UUID poolId, LocalDate validUntil) {
}
