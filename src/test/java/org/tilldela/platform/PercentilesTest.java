package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The nearest-rank percentile the benchmark commands report. */
class PercentilesTest {

    @Test
    void theSmallestValueWithAtLeastThatShareAtOrBelowIt() {
        assertThat(Percentiles.nearestRank(100, 95)).isEqualTo(94);
        assertThat(Percentiles.nearestRank(100, 50)).isEqualTo(49);
        assertThat(Percentiles.nearestRank(3, 50)).isEqualTo(1);
        assertThat(Percentiles.nearestRank(20, 99)).as("past the last: the last").isEqualTo(19);
        assertThat(Percentiles.nearestRank(1, 99)).isZero();
        assertThat(Percentiles.nearestRank(1000, 99)).isEqualTo(989);
    }
}
