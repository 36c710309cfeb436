package org.tilldela.licensing;

import java.util.Optional;
import java.util.UUID;

/**
 * How much of a pool is used, for the pages that show a pool (the pool's own, an order's): given by the usage module,
 * which reads what suppliers report. Declared here, and not asked of the usage module by name, because the usage module
 * already builds on purchase and licensing: the pages asking it directly would be a cycle.
 */
public interface PoolUtilisation {

    /** The last this many days, today included, are what the line tells. */
    int DAYS = 30;

    /**
     * Of one pool over the last {@link #DAYS} days: seats bought (null: unlimited), persons holding a seat (the pages that
     * show the line list the holders anyway), and persons of them who used the product — null when it is from 1 to 4,
     * which is not shown (usage is about persons: it could point at who did or did not use it). {@code smallestShown}: the
     * smallest count shown, as the usage module's rule says, for the line's wording.
     */
    record Figures(UUID productId, Long bought, Long assigned, Long used, int smallestShown) {

        /** The days told, for the line's wording. */
        public int days() {
            return DAYS;
        }
    }

    Optional<Figures> of(UUID poolId);
}
