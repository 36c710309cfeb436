package org.tilldela.directory.importing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.tilldela.directory.importing.KnownRows.Sighting;

/**
 * The stored rows of an import, held in memory: sized from an estimate that may be far too small (a table never
 * analyzed), so it must grow while it is filled without losing or confusing a row.
 */
class KnownRowsTest {

    @Test
    void aTableSizedFarTooSmallGrowsAndStillTellsEveryRowApart() {
        Random random = new Random(7);
        int stored = 5_000;
        List<UUID> ids = new ArrayList<>();
        List<UUID> hashes = new ArrayList<>();
        KnownRows rows = new KnownRows(16);
        long[] batch = new long[4 * 300];
        int inBatch = 0;
        for (int i = 0; i < stored; i++) {
            UUID id = new UUID(random.nextLong(), random.nextLong());
            UUID hash = new UUID(random.nextLong(), random.nextLong());
            ids.add(id);
            hashes.add(hash);
            if (i < 1000) {
                rows.add(id, hash);
                continue;
            }
            // as the loader adds them: the halves as read, a batch at a time (each batch grows the table first)
            batch[inBatch * 4] = id.getMostSignificantBits();
            batch[inBatch * 4 + 1] = id.getLeastSignificantBits();
            batch[inBatch * 4 + 2] = hash.getMostSignificantBits();
            batch[inBatch * 4 + 3] = hash.getLeastSignificantBits();
            if (++inBatch == 300) {
                rows.addAll(batch, inBatch);
                inBatch = 0;
            }
        }
        rows.addAll(batch, inBatch);
        assertThat(rows.size()).isEqualTo(stored);
        assertThat(rows.stored()).isEqualTo(stored);

        // the input: every third stored row changed, every fifth missing, the rest as stored, plus new rows
        Set<UUID> unseen = new HashSet<>();
        long line = 2;
        for (int i = 0; i < stored; i++) {
            if (i % 5 == 0) {
                unseen.add(ids.get(i));
                continue;
            }
            UUID hash = i % 3 == 0 ? new UUID(random.nextLong(), random.nextLong()) : hashes.get(i);
            assertThat(rows.see(ids.get(i), hash, line++)).isEqualTo(i % 3 == 0 ? Sighting.CHANGED : Sighting.UNCHANGED);
        }
        UUID added = new UUID(random.nextLong(), random.nextLong());
        long addedOn = line;
        assertThat(rows.see(added, UUID.randomUUID(), line++)).isEqualTo(Sighting.NEW);
        assertThat(rows.see(added, UUID.randomUUID(), line++)).isEqualTo(Sighting.REPEATED);
        assertThat(rows.lineOf(added)).isEqualTo(addedOn);
        assertThat(rows.see(ids.get(1), hashes.get(1), line)).isEqualTo(Sighting.REPEATED);
        assertThat(rows.lineOf(ids.get(1))).isEqualTo(2);

        assertThat(rows.stored()).as("rows first seen in the input are not stored ones").isEqualTo(stored);
        assertThat(rows.size()).isEqualTo(stored + 1);

        Set<UUID> reported = new HashSet<>();
        rows.forEachUnseen(reported::add);
        assertThat(reported).isEqualTo(unseen);
    }

    @Test
    void rowsFirstSeenInTheInputGrowTheTableAndKeepTheLineTheyWereSeenOn() {
        // a source's first import: nothing stored, every row new, the table grown many times while rows are seen
        KnownRows rows = new KnownRows(16);
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            UUID id = UUID.randomUUID();
            ids.add(id);
            assertThat(rows.see(id, UUID.randomUUID(), i + 2)).isEqualTo(Sighting.NEW);
        }
        for (int i = 0; i < ids.size(); i++) {
            assertThat(rows.lineOf(ids.get(i))).isEqualTo(i + 2);
            assertThat(rows.see(ids.get(i), UUID.randomUUID(), 10_000 + i)).isEqualTo(Sighting.REPEATED);
        }
        assertThat(rows.size()).isEqualTo(5_000);
        assertThat(rows.stored()).isZero();
    }
}
