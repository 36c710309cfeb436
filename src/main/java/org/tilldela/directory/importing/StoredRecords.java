package org.tilldela.directory.importing;

import java.util.Arrays;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The stored rows of one entity of one source by the fingerprint of the input record each was read from (see
 * {@link StagedSnapshot#fingerprintRecords}), held in memory while a full snapshot is read: a record whose fingerprint
 * is here is recognised without being read, and when reading ends the rows of records that were not recognised are
 * known by id — found without looking through the stored table.
 *
 * <p>Four longs a slot (fingerprint, the line it was recognised on, the first of its rows with their number; see {@link
 * UuidSlots}); each row's id and the next row of the same record in two arrays beside it (a record can have been read
 * into several rows: a user's enrolments). About 70 bytes a row at half load.
 */
final class StoredRecords extends UuidSlots {

    private static final int STRIDE = 4;
    /** (index of the record's first row in {@link #ids} / 2) << 32 | number of its rows. */
    private static final int ROWS = 3;

    /** Each stored row's id (two longs), in the order rows were added. */
    private long[] ids;
    /** For each row: the next row of the same record, -1 for none. */
    private int[] next;
    private int rows;
    /** Rows stored without a fingerprint (their records cannot be recognised): by id. */
    private long[] keyless = new long[16];
    private int keylessRows;

    StoredRecords(int expectedRows) {
        super(STRIDE, expectedRows);
        next = new int[Math.max(16, expectedRows)];
        ids = new long[next.length * 2];
    }

    /**
     * Adds the first {@code n} rows of {@code batch}, given as (fingerprint high, low, id high, low) quadruples as the
     * loader reads them, a batch at a time (see {@link UuidSlots#touchHomes}).
     */
    void addAll(long[] batch, int n) {
        makeRoom(n);
        if (rows + n > next.length) {
            int capacity = Math.max(next.length * 2, rows + n);
            next = Arrays.copyOf(next, capacity);
            ids = Arrays.copyOf(ids, capacity * 2);
        }
        touchHomes(batch, n);
        for (int i = 0; i < n; i++) {
            long hi = batch[i * 4];
            long lo = batch[i * 4 + 1];
            int base = slotOf(hi, lo);
            int row = rows++;
            ids[row * 2] = batch[i * 4 + 2];
            ids[row * 2 + 1] = batch[i * 4 + 3];
            if (free(base)) {
                slots[base + KEY_HI] = hi;
                slots[base + KEY_LO] = lo;
                size++;
                next[row] = -1;
                slots[base + ROWS] = ((long) row << 32) | 1;
            } else {
                long first = slots[base + ROWS];
                next[row] = (int) (first >>> 32);
                slots[base + ROWS] = ((long) row << 32) | ((first & 0xffffffffL) + 1);
            }
        }
    }

    /** Adds a row stored without a fingerprint. */
    void addKeyless(long idHi, long idLo) {
        if (keylessRows * 2 == keyless.length) {
            keyless = Arrays.copyOf(keyless, keyless.length * 2);
        }
        keyless[keylessRows * 2] = idHi;
        keyless[keylessRows * 2 + 1] = idLo;
        keylessRows++;
    }

    /** How many rows are stored, with a fingerprint or without. */
    int stored() {
        return rows + keylessRows;
    }

    /**
     * When {@code fingerprint} is stored and not recognised before, it is now, on {@code atLine}, and the number of its
     * rows is returned; otherwise 0. An unknown fingerprint is not added: a first import asks about every record and
     * recognises none.
     */
    int recognise(UUID fingerprint, long atLine) {
        int base = slotOf(fingerprint.getMostSignificantBits(), fingerprint.getLeastSignificantBits());
        if (free(base) || slots[base + LINE] != 0) {
            return 0;
        }
        slots[base + LINE] = atLine;
        return (int) (slots[base + ROWS] & 0xffffffffL);
    }

    /** Calls back with the id of each stored row whose record was not recognised (or that has no fingerprint). */
    void forEachRowNotRecognised(Consumer<UUID> consumer) {
        for (int base = 0; base < slots.length; base += STRIDE) {
            if (!free(base) && slots[base + LINE] == 0) {
                for (int row = (int) (slots[base + ROWS] >>> 32); row >= 0; row = next[row]) {
                    consumer.accept(new UUID(ids[row * 2], ids[row * 2 + 1]));
                }
            }
        }
        for (int i = 0; i < keylessRows; i++) {
            consumer.accept(new UUID(keyless[i * 2], keyless[i * 2 + 1]));
        }
    }
}
