package org.tilldela.directory.importing;

import java.util.UUID;
import java.util.function.Consumer;

/**
 * What is stored of one entity of one source — each row's id and content hash — held in memory while a
 * full snapshot is read, so that rows that did not change are recognised at once and never staged,
 * rows that are no longer there are known when reading ends, and a repeated id is caught as it is read.
 *
 * <p>Five longs a slot (id, line seen, content hash; see {@link UuidSlots}): about 80 bytes a row at half load, a few
 * hundred MB for a million-person source.
 */
final class KnownRows extends UuidSlots {

    private static final int STRIDE = 5;
    private static final int HASH_HI = 3;
    private static final int HASH_LO = 4;

    /** Rows added as stored (the rest of {@link #size} are new ones seen in the input). */
    private int stored;

    KnownRows(int expected) {
        super(STRIDE, expected);
    }

    void add(UUID id, UUID contentHash) {
        add(id.getMostSignificantBits(), id.getLeastSignificantBits(), contentHash.getMostSignificantBits(), contentHash.getLeastSignificantBits());
    }

    /** {@link #add(UUID, UUID)} from the halves as they are read (without a UUID each). */
    void add(long idHi, long idLo, long hashHi, long hashLo) {
        makeRoom(1);
        int base = slotOf(idHi, idLo);
        if (free(base)) {
            slots[base + KEY_HI] = idHi;
            slots[base + KEY_LO] = idLo;
            size++;
            stored++;
        }
        slots[base + HASH_HI] = hashHi;
        slots[base + HASH_LO] = hashLo;
    }

    /**
     * Adds the first {@code n} rows of {@code batch}, given as (id high, id low, hash high, hash low) quadruples, as
     * the loader reads them, a batch at a time (see {@link UuidSlots#touchHomes}).
     */
    void addAll(long[] batch, int n) {
        makeRoom(n);
        touchHomes(batch, n);
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
            // the slot found first: insertAbsent may grow the table, and `slots` would be read before it did
            int slot = insertAbsent(hi, lo);
            slots[slot + LINE] = atLine;
            return Sighting.NEW;
        }
        if (slots[base + LINE] != 0) {
            return Sighting.REPEATED;
        }
        slots[base + LINE] = atLine;
        return slots[base + HASH_HI] == contentHash.getMostSignificantBits() && slots[base + HASH_LO] == contentHash.getLeastSignificantBits()
                ? Sighting.UNCHANGED : Sighting.CHANGED;
    }

    /** Calls back with each stored row the input did not have. */
    void forEachUnseen(Consumer<UUID> consumer) {
        for (int base = 0; base < slots.length; base += STRIDE) {
            if (!free(base) && slots[base + LINE] == 0) {
                consumer.accept(new UUID(slots[base + KEY_HI], slots[base + KEY_LO]));
            }
        }
    }
}
