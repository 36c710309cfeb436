package org.tilldela.catalog;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.tilldela.platform.LeastRecentlyUsed;

/**
 * The best-ranked matches of a search's words, kept per catalogue version.
 *
 * <p>Ranking reads every match's text vector: a word that is in half of 100,000 descriptions (<i>opgaver</i>)
 * takes about 85 ms to rank on two cores, for every page and every facet chosen, while the ranking of the words
 * does not depend on the facets or the page. So from {@link #FROM} matches on, the first {@link #LENGTH}
 * matches in the search's own order (rank, title, id) are kept for the catalogue version they were ranked in,
 * and a page ranks only those.
 *
 * <p>Why that is the same answer: the kept matches are the first {@link #LENGTH} of the whole order, a facet
 * filter keeps their order, and every match not kept comes after all of them. So when at least offset + page
 * size kept matches pass the filter, they are exactly the page; when fewer do (a narrow facet, a deep page) the
 * search ranks every match as before, unless the kept ones are all there are. Every change to the catalogue
 * bumps its version (the catalogue's triggers), and a ranking is used only in the version it was made in, on
 * every node alike.
 */
final class RankedMatches {

    /** Below this many matches ranking them all is a few milliseconds: nothing is kept. */
    static final int FROM = 1_000;
    /** Pages 1–10 of 20. */
    static final int LENGTH = 200;
    /** Rankings kept (about 7 kB each), the least recently used given up first. */
    private static final int KEPT = 1_000;

    /** The first {@link #LENGTH} matches in order, and whether they are all the matches there are. */
    record Ranking(UUID[] ids, boolean complete) {

        /** Whether {@code found} of the kept matches passing the filter answer a page that ends at {@code wanted}. */
        boolean answers(int found, int wanted) {
            return found >= wanted || complete;
        }
    }

    private final Map<String, Ranking> kept = LeastRecentlyUsed.map(KEPT);
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong made = new AtomicLong();

    /**
     * The ranking of these words in this catalogue version: kept, or made by {@code firstMatches} (at most
     * {@link #LENGTH} + 1 ids in the search's order) and then kept.
     */
    Ranking of(long version, String tsquery, Supplier<List<UUID>> firstMatches) {
        String key = version + "|" + tsquery;
        synchronized (kept) {
            Ranking ranking = kept.get(key);
            if (ranking != null) {
                return ranking;
            }
        }
        // made outside the lock: two first searches of one word may both rank it, neither waits for the other
        List<UUID> ids = firstMatches.get();
        made.incrementAndGet();
        Ranking ranking = new Ranking(ids.subList(0, Math.min(ids.size(), LENGTH)).toArray(UUID[]::new), ids.size() <= LENGTH);
        synchronized (kept) {
            kept.put(key, ranking);
        }
        return ranking;
    }

    void countAnswer() {
        answered.incrementAndGet();
    }

    long answered() {
        return answered.get();
    }

    long made() {
        return made.get();
    }
}
