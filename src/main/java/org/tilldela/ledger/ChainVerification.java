package org.tilldela.ledger;

import java.time.Duration;

/**
 * The result of checking the hash chain: how many records were checked, whether it is intact, and if not
 * the first broken record's sequence and why (hash mismatch, prev-hash link broken, gap in sequence, or a signed
 * checkpoint the chain no longer holds); {@code checkpointsHeld}: how many signed checkpoints were found to hold.
 */
public record ChainVerification(long recordsChecked, boolean intact, Long firstBrokenSequence, String reason, Duration took, long checkpointsHeld) {

    /** The chain alone, before any signed checkpoint is looked at. */
    public ChainVerification(long recordsChecked, boolean intact, Long firstBrokenSequence, String reason, Duration took) {
        this(recordsChecked, intact, firstBrokenSequence, reason, took, 0);
    }

    /** Records verified per second. */
    public double rate() {
        double seconds = Math.max(took.toNanos(), 1) / 1e9;
        return recordsChecked / seconds;
    }
}
