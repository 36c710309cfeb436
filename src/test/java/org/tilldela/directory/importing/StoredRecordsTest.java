package org.tilldela.directory.importing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The stored rows by their records' fingerprints: sized from an estimate that may be far too small, records of one row
 * and of several, rows without a fingerprint; what is recognised, once, and which rows are left when reading ends.
 */
class StoredRecordsTest {

    @Test
    void recordsAreRecognisedOnceWithAllTheirRowsAndTheRowsOfTheOthersAreListed() {
        Random random = new Random(11);
        StoredRecords stored = new StoredRecords(16);
        List<UUID> fingerprints = new ArrayList<>();
        List<List<UUID>> rowsOf = new ArrayList<>();
        long[] batch = new long[4 * 500];
        int inBatch = 0;
        for (int record = 0; record < 4_000; record++) {
            UUID fingerprint = new UUID(random.nextLong(), random.nextLong());
            fingerprints.add(fingerprint);
            List<UUID> ids = new ArrayList<>();
            rowsOf.add(ids);
            for (int row = 0; row < 1 + record % 3; row++) { // one, two or three rows a record
                UUID id = new UUID(random.nextLong(), random.nextLong());
                ids.add(id);
                batch[inBatch * 4] = fingerprint.getMostSignificantBits();
                batch[inBatch * 4 + 1] = fingerprint.getLeastSignificantBits();
                batch[inBatch * 4 + 2] = id.getMostSignificantBits();
                batch[inBatch * 4 + 3] = id.getLeastSignificantBits();
                if (++inBatch == 500) {
                    stored.addAll(batch, inBatch);
                    inBatch = 0;
                }
            }
        }
        stored.addAll(batch, inBatch);
        UUID keyless = UUID.randomUUID();
        stored.addKeyless(keyless.getMostSignificantBits(), keyless.getLeastSignificantBits());
        assertThat(stored.stored()).isEqualTo(rowsOf.stream().mapToInt(List::size).sum() + 1);

        // the input: every fourth record gone (or changed), the rest as stored, and records never stored
        Set<UUID> notRecognised = new HashSet<>(List.of(keyless));
        long line = 2;
        for (int record = 0; record < fingerprints.size(); record++) {
            if (record % 4 == 0) {
                notRecognised.addAll(rowsOf.get(record));
                continue;
            }
            assertThat(stored.recognise(fingerprints.get(record), line++)).isEqualTo(rowsOf.get(record).size());
        }
        assertThat(stored.recognise(UUID.randomUUID(), line)).as("never stored").isZero();
        assertThat(stored.recognise(fingerprints.get(1), line)).as("recognised once only").isZero();
        assertThat(stored.lineOf(fingerprints.get(1))).isEqualTo(2);
        assertThat(stored.lineOf(fingerprints.get(0))).isZero();

        Set<UUID> listed = new HashSet<>();
        List<UUID> listedInOrder = new ArrayList<>();
        stored.forEachRowNotRecognised(id -> {
            listed.add(id);
            listedInOrder.add(id);
        });
        assertThat(listed).isEqualTo(notRecognised);
        assertThat(listedInOrder).hasSameSizeAs(listed);
    }
}
