package org.tilldela.platform;

import java.util.function.LongSupplier;

/**
 * A removal done a batch at a time, each its own statement and transaction, so that a night's work never holds many rows
 * at once: the retention jobs' loop.
 */
public final class InBatches {

    private InBatches() {
    }

    /** Runs {@code batch} until it answers fewer than {@code size} (it did less than a full batch: nothing is left); the total. */
    public static long untilShort(int size, LongSupplier batch) {
        long total = 0;
        long done;
        do {
            done = batch.getAsLong();
            total += done;
        } while (done == size);
        return total;
    }
}
