package org.tilldela.directory.importing;

import java.util.UUID;
import java.util.function.Consumer;

/**
 * What is stored of one entity of one source — each row's id and content hash — held in memory while a
 * full snapshot is read, so that rows that did not change are recognised at once and never staged,
 * rows that are no longer there are known when reading ends, and a repeated id is caught as it is read.
 *
 * <p>Open addressing over one primitive array, five longs a slot (id, content hash, line seen), so a
 * lookup touches one or two cache lines: about 80 bytes a row at half load, a few hundred MB for a
 * million-person source. An all-zero id marks a free slot; Tilldela's ids are version-3 UUIDs and never
 * zero.
 */
final class KnownRows {

    private static final int STRIDE = 5;
    private static final int ID_HI = 0;
    private static final int ID_LO = 1;
    private static final int HASH_HI = 2;
    private static final int HASH_LO = 3;
    /** The input line where the row was seen; 0 = not (yet) seen. */
    private static final int LINE = 4;

    private long[] slots;
    private int mask;
    private int size;
    /** Rows added as stored (the rest of {@link #size} are new ones seen in the input). */
    private int stored;

    KnownRows(int expected) {
        allocate(Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1);
    }

    private void allocate(int capacity) {
        mask = capacity - 1;
        slots = new long[capacity * STRIDE];
    }

    /** Keeps the table at most half full, so probe sequences stay short. */
    private void growIfNeeded() {
        if (size + 1 > (mask + 1) / 2) {
            grow();
        }
    }

    private void grow() {
        long[] old = slots;
        allocate((mask + 1) * 2);
        for (int base = 0; base < old.length; base += STRIDE) {
            if (old[base + ID_HI] != 0 || old[base + ID_LO] != 0) {
                System.arraycopy(old, base, slots, slotOf(old[base + ID_HI], old[base + ID_LO]), STRIDE);
            }
        }
    }

    void add(UUID id, UUID contentHash) {
        add(id.getMostSignificantBits(), id.getLeastSignificantBits(), contentHash.getMostSignificantBits(), contentHash.getLeastSignificantBits());
    }

    /** {@link #add(UUID, UUID)} from the halves as they are read (without a UUID each). */
    void add(long idHi, long idLo, long hashHi, long hashLo) {
        growIfNeeded();
        int base = slotOf(idHi, idLo);
        if (free(base)) {
            slots[base + ID_HI] = idHi;
            slots[base + ID_LO] = idLo;
            size++;
            stored++;
        }
        slots[base + HASH_HI] = hashHi;
        slots[base + HASH_LO] = hashLo;
    }

    /** Written once per batch by {@link #addAll}, so that its first pass of loads is not optimised away. */
    private long touched;

    /**
     * Adds the first {@code n} rows of {@code batch}, given as (id high, id low, hash high, hash low) quadruples, as
     * the loader reads them. Each row's slot is somewhere in a table of a hundred MB or more, so each insert waits
     * for memory; one at a time, the processor waits for one such read after another. Here the table grows first
     * (so no slot moves), then a first pass touches every row's home slot — independent reads the processor
     * overlaps — and the inserts that follow find their slots in the cache.
     */
    void addAll(long[] batch, int n) {
        while (size + n > (mask + 1) / 2) {
            grow();
        }
        long sum = 0;
        for (int i = 0; i < n; i++) {
            long lo = batch[i * 4 + 1];
            sum += slots[home(lo) * STRIDE + LINE];
        }
        touched = sum;
        for (int i = 0; i < n; i++) {
            add(batch[i * 4], batch[i * 4 + 1], batch[i * 4 + 2], batch[i * 4 + 3]);
        }
    }

    int size() {
        return size;
    }

    /** How many rows are stored (were added), whatever the input has. */
    int stored() {
        return stored;
    }

    /** What a row read from the input is, compared with what is stored. */
    enum Sighting { NEW, CHANGED, UNCHANGED, REPEATED }

    /**
     * Records that the input has the row on {@code atLine}. REPEATED when an earlier line had the same
     * id (stored or new): then {@link #lineOf} still gives that earlier line.
     */
    Sighting see(UUID id, UUID contentHash, long atLine) {
        long hi = id.getMostSignificantBits();
        long lo = id.getLeastSignificantBits();
        int base = slotOf(hi, lo);
        if (free(base)) {
            // remembered as seen (not as stored), so that a repetition of a new row is caught too
            growIfNeeded();
            base = slotOf(hi, lo);
            slots[base + ID_HI] = hi;
            slots[base + ID_LO] = lo;
            slots[base + LINE] = atLine;
            size++;
            return Sighting.NEW;
        }
        if (slots[base + LINE] != 0) {
            return Sighting.REPEATED;
        }
        slots[base + LINE] = atLine;
        return slots[base + HASH_HI] == contentHash.getMostSignificantBits() && slots[base + HASH_LO] == contentHash.getLeastSignificantBits()
                ? Sighting.UNCHANGED : Sighting.CHANGED;
    }

    /** The line the row was seen on, 0 if it was not (or the id is unknown). */
    long lineOf(UUID id) {
        int base = slotOf(id.getMostSignificantBits(), id.getLeastSignificantBits());
        return free(base) ? 0 : slots[base + LINE];
    }

    /** Calls back with each stored row the input did not have. */
    void forEachUnseen(Consumer<UUID> consumer) {
        for (int base = 0; base < slots.length; base += STRIDE) {
            if (!free(base) && slots[base + LINE] == 0) {
                consumer.accept(new UUID(slots[base + ID_HI], slots[base + ID_LO]));
            }
        }
    }

    /** Where a probe for the id starts; ids are HMAC-based, so their bits are already well mixed. */
    private int home(long lo) {
        return (int) (lo ^ (lo >>> 32)) & mask;
    }

    private boolean free(int base) {
        return slots[base + ID_HI] == 0 && slots[base + ID_LO] == 0;
    }

    /** The base index of the id's slot, or of the free slot where it would go. */
    private int slotOf(long hi, long lo) {
        int slot = home(lo);
        while (true) {
            int base = slot * STRIDE;
            if (free(base) || (slots[base + ID_HI] == hi && slots[base + ID_LO] == lo)) {
                return base;
            }
            slot = (slot + 1) & mask;
        }
    }
}
