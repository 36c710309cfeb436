package org.tilldela.platform;

import java.util.LinkedHashMap;
import java.util.Map;

/** A map that keeps at most a given number of entries, giving up the least recently used first. Not synchronised. */
public final class LeastRecentlyUsed {

    private LeastRecentlyUsed() {
    }

    /** An empty map of at most {@code max} entries; a get counts as a use, as a put does. */
    public static <K, V> Map<K, V> map(int max) {
        return new LinkedHashMap<>(Math.min(max, 256), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > max;
            }
        };
    }
}
