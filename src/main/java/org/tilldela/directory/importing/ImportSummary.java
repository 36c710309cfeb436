package org.tilldela.directory.importing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * What an import did: created / updated / removed / unchanged per entity, changes journalled, and where
 * the time went (phase → milliseconds).
 */
public record ImportSummary(UUID runId, String source, Map<String, Counts> entities, long changesRecorded,
                            long durationMillis, Map<String, Long> phaseMillis) {

    public record Counts(long created, long updated, long removed, long unchanged) {
        public boolean changedAnything() {
            return created + updated + removed > 0;
        }
    }

    public boolean changedAnything() {
        return entities.values().stream().anyMatch(Counts::changedAnything);
    }

    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-14s %9s %9s %9s %9s%n", "", "created", "updated", "removed", "unchanged"));
        entities.forEach((name, c) -> sb.append(String.format("%-14s %9d %9d %9d %9d%n", name, c.created(), c.updated(), c.removed(), c.unchanged())));
        sb.append(String.format("changes journalled: %d; took %.1f s%n", changesRecorded, durationMillis / 1000.0));
        return sb.toString();
    }

    static Map<String, Counts> emptyCounts() {
        return new LinkedHashMap<>();
    }
}
