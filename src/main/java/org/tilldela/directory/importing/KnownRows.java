package org.tilldela.directory.importing;

import java.util.UUID;

/**
 * What is stored of one entity of one source — each row's id and content hash — held in memory while a
 * full snapshot is read, so that rows that did not change are recognised at once and never staged,
 * rows that are no longer there are known when reading ends, and a repeated id is caught as it is read. Open addressing over primitive arrays:
 * about 36 bytes a row, so a million-person source fits in a few hundred MB.
 */
final class KnownRows {

    private int mask;
    private long[] idHi;
    private long[] idLo;
    private long[] hashHi;
    private long[] hashLo;
    /** The input line where the row was seen; 0 = not (yet) seen. */
    private long[] line;
    private boolean[] used;
    private int size;

    KnownRows(int expected) {
        allocate(Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1);
    }

    private void allocate(int capacity) {
        mask = capacity - 1;
        idHi = new long[capacity];
        idLo = new long[capacity];
        hashHi = new long[capacity];
        hashLo = new long[capacity];
        line = new long[capacity];
        used = new boolean[capacity];
    }

    /** Keeps the table at most half full, so probe sequences stay short. */
    private void growIfNeeded() {
        if (size + 1 <= (mask + 1) / 2) {
            return;
        }
        long[] oldIdHi = idHi;
        long[] oldIdLo = idLo;
        long[] oldHashHi = hashHi;
        long[] oldHashLo = hashLo;
        long[] oldLine = line;
        boolean[] oldUsed = used;
        allocate((mask + 1) * 2);
        for (int i = 0; i < oldUsed.length; i++) {
            if (oldUsed[i]) {
                int slot = slotOf(oldIdHi[i], oldIdLo[i]);
                used[slot] = true;
                idHi[slot] = oldIdHi[i];
                idLo[slot] = oldIdLo[i];
                hashHi[slot] = oldHashHi[i];
                hashLo[slot] = oldHashLo[i];
                line[slot] = oldLine[i];
            }
        }
    }

    void add(UUID id, UUID contentHash) {
        growIfNeeded();
        int slot = slotOf(id);
        if (!used[slot]) {
            used[slot] = true;
            idHi[slot] = id.getMostSignificantBits();
            idLo[slot] = id.getLeastSignificantBits();
            size++;
        }
        hashHi[slot] = contentHash.getMostSignificantBits();
        hashLo[slot] = contentHash.getLeastSignificantBits();
    }

    int size() {
        return size;
    }

    /** What a row read from the input is, compared with what is stored. */
    enum Sighting { NEW, CHANGED, UNCHANGED, REPEATED }

    /**
     * Records that the input has the row on {@code atLine}. REPEATED when an earlier line had the same
     * id (stored or new): then {@link #lineOf} still gives that earlier line.
     */
    Sighting see(UUID id, UUID contentHash, long atLine) {
        int slot = slotOf(id);
        if (!used[slot]) {
            // remembered as seen (not as stored), so that a repetition of a new row is caught too
            growIfNeeded();
            slot = slotOf(id);
            used[slot] = true;
            idHi[slot] = id.getMostSignificantBits();
            idLo[slot] = id.getLeastSignificantBits();
            line[slot] = atLine;
            size++;
            return Sighting.NEW;
        }
        if (line[slot] != 0) {
            return Sighting.REPEATED;
        }
        line[slot] = atLine;
        return hashHi[slot] == contentHash.getMostSignificantBits() && hashLo[slot] == contentHash.getLeastSignificantBits()
                ? Sighting.UNCHANGED : Sighting.CHANGED;
    }

    /** The line the row was seen on, 0 if it was not (or the id is unknown). */
    long lineOf(UUID id) {
        int slot = slotOf(id);
        return used[slot] ? line[slot] : 0;
    }

    /** Calls back with each stored row the input did not have. */
    void forEachUnseen(java.util.function.Consumer<UUID> consumer) {
        for (int slot = 0; slot <= mask; slot++) {
            if (used[slot] && line[slot] == 0) {
                consumer.accept(new UUID(idHi[slot], idLo[slot]));
            }
        }
    }

    private int slotOf(UUID id) {
        return slotOf(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }

    private int slotOf(long hi, long lo) {
        // ids are MD5-based, so their bits are already well mixed
        int slot = (int) (lo ^ (lo >>> 32)) & mask;
        while (used[slot] && (idHi[slot] != hi || idLo[slot] != lo)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }
}
