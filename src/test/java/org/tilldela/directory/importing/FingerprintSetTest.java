package org.tilldela.directory.importing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FingerprintSetTest {

    @Test
    void addsEachFingerprintOnceAndKeepsThemAllAsItGrows() {
        FingerprintSet set = new FingerprintSet(4);
        List<UUID> fingerprints = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            fingerprints.add(UUID.randomUUID());
        }
        for (UUID f : fingerprints) {
            assertThat(set.add(f)).isTrue();
        }
        // grown far past its first size, every member is still found, and a repetition (a new object, equal) is not added
        for (UUID f : fingerprints) {
            assertThat(set.add(new UUID(f.getMostSignificantBits(), f.getLeastSignificantBits()))).isFalse();
        }
        assertThat(set.size()).isEqualTo(10_000);
        // keys that share a home slot (same low half) are told apart by their high half
        UUID a = new UUID(1, 42);
        UUID b = new UUID(2, 42);
        assertThat(set.add(a)).isTrue();
        assertThat(set.add(b)).isTrue();
        assertThat(set.add(a)).isFalse();
        assertThat(set.size()).isEqualTo(10_002);
    }
}
