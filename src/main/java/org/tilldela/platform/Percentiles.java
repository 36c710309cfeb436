package org.tilldela.platform;

/** For the benchmark commands: where a percentile lies in sorted measurements. */
public final class Percentiles {

    private Percentiles() {
    }

    /**
     * The index of the {@code p}th percentile among {@code size} sorted values, by the nearest-rank method (the smallest
     * value with at least p% of the values at or below it). {@code size} must be at least 1.
     */
    public static int nearestRank(int size, double p) {
        return (int) Math.min(size - 1, Math.ceil(p / 100.0 * size) - 1);
    }
}
