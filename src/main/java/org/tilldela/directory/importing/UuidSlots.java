package org.tilldela.directory.importing;

import java.util.UUID;

/**
 * An open-addressing table keyed by 128-bit values (ids, record fingerprints) over one primitive array, a few longs a
 * slot: the key's two halves, the input line where it was seen (0: not yet), then what the table keeps of it. So a
 * lookup touches one or two cache lines. Kept at most half full, so probe sequences stay short. An all-zero key marks
 * a free slot: ids (HMAC) and fingerprints (SHA-256) are digests and never zero in practice.
 */
abstract class UuidSlots {

    static final int KEY_HI = 0;
    static final int KEY_LO = 1;
    /** The input line where the key was seen; 0 = not (yet) seen. */
    static final int LINE = 2;

    private final int stride;
    long[] slots;
    private int mask;
    /** Slots in use. */
    int size;
    /** Written once per batch by {@link #touchHomes}, so that its loads are not optimised away. */
    private long touched;

    UuidSlots(int stride, int expected) {
        this.stride = stride;
        allocate(Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1);
    }

    private void allocate(int capacity) {
        mask = capacity - 1;
        slots = new long[capacity * stride];
    }

    /** Grows the table, if need be, so that {@code more} keys fit without it growing (no slot moves meanwhile). */
    final void makeRoom(int more) {
        while (size + more > (mask + 1) / 2) {
            long[] old = slots;
            allocate((mask + 1) * 2);
            for (int base = 0; base < old.length; base += stride) {
                if (old[base + KEY_HI] != 0 || old[base + KEY_LO] != 0) {
                    System.arraycopy(old, base, slots, slotOf(old[base + KEY_HI], old[base + KEY_LO]), stride);
                }
            }
        }
    }

    /**
     * Touches the home slot of the first {@code n} keys of {@code batch} (quadruples, the key's halves first), as a
     * loader adds them. Each key's slot is somewhere in a table of a hundred MB or more, so each insert waits for memory;
     * one at a time, the processor waits for one such read after another. Touched first — independent reads the
     * processor overlaps — the inserts that follow find their slots in the cache. Call {@link #makeRoom} before.
     */
    final void touchHomes(long[] batch, int n) {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += slots[home(batch[i * 4 + 1]) * stride + LINE];
        }
        touched = sum;
    }

    /** The line the key was seen on, 0 if it was not (or the key is unknown). */
    final long lineOf(UUID key) {
        int base = slotOf(key.getMostSignificantBits(), key.getLeastSignificantBits());
        return free(base) ? 0 : slots[base + LINE];
    }

    /**
     * Puts a key the table does not hold (its probe ended at a free slot) into it, growing the table first if need be
     * (which moves slots, so the slot is found again); returns the base index of its slot.
     */
    final int insertAbsent(long hi, long lo) {
        makeRoom(1);
        int base = slotOf(hi, lo);
        slots[base + KEY_HI] = hi;
        slots[base + KEY_LO] = lo;
        size++;
        return base;
    }

    /** Where a probe for the key starts; keys are digests, their bits already well mixed. */
    private int home(long lo) {
        return (int) (lo ^ (lo >>> 32)) & mask;
    }

    final boolean free(int base) {
        return slots[base + KEY_HI] == 0 && slots[base + KEY_LO] == 0;
    }

    /** The base index of the key's slot, or of the free slot where it would go. */
    final int slotOf(long hi, long lo) {
        int slot = home(lo);
        while (true) {
            int base = slot * stride;
            if (free(base) || (slots[base + KEY_HI] == hi && slots[base + KEY_LO] == lo)) {
                return base;
            }
            slot = (slot + 1) & mask;
        }
    }

}
