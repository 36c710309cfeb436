package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.List;
import org.junit.jupiter.api.Test;

class InBatchesTest {

    @Test
    void repeatsWhileBatchesComeBackFullAndAddThemUp() {
        var answers = new ArrayDeque<>(List.of(3L, 3L, 1L, 3L));
        assertThat(InBatches.untilShort(3, answers::pop)).isEqualTo(7);
        // the batch after the short one is never asked for
        assertThat(answers).containsExactly(3L);
    }

    @Test
    void anEmptyFirstBatchEndsAtOnce() {
        var answers = new ArrayDeque<>(List.of(0L, 3L));
        assertThat(InBatches.untilShort(3, answers::pop)).isZero();
        assertThat(answers).containsExactly(3L);
    }
}
