package org.tilldela.directory.importing;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What an import did: created / updated / removed / unchanged per entity, changes journalled, and where
 * the time went (phase → milliseconds).
 *
 * @param unchangedSince set when the package was the one the source's last import read: when that import ran;
 *                       nothing was read this time, every row is unchanged
 */
public record ImportSummary(UUID runId, String source, Map<String, Counts> entities, long changesRecorded,
                            long durationMillis, Map<String, Long> phaseMillis, Instant unchangedSince) {

    public record Counts(long created, long updated, long removed, long unchanged) {
        public boolean changedAnything() {
            return created + updated + removed > 0;
        }
    }

    public boolean changedAnything() {
        return entities.values().stream().anyMatch(Counts::changedAnything);
    }

    /** Counts per entity in the model's order (stored as jsonb, the map itself comes back in another). */
    public List<Map.Entry<String, Counts>> inEntityOrder() {
        List<Map.Entry<String, Counts>> ordered = new ArrayList<>();
        for (Entity e : Entity.values()) {
            Counts c = entities.get(e.label());
            if (c != null) {
                ordered.add(Map.entry(e.label(), c));
            }
        }
        return ordered;
    }

    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-14s %9s %9s %9s %9s%n", "", "created", "updated", "removed", "unchanged"));
        inEntityOrder().forEach(entry -> sb.append(String.format("%-14s %9d %9d %9d %9d%n", entry.getKey(), entry.getValue().created(),
                entry.getValue().updated(), entry.getValue().removed(), entry.getValue().unchanged())));
        if (unchangedSince != null) {
            sb.append("the same package as the import of ").append(unchangedSince.truncatedTo(ChronoUnit.SECONDS))
                    .append(" read: not read again, nothing changed\n");
        }
        sb.append(String.format("changes journalled: %d; took %.1f s%n", changesRecorded, durationMillis / 1000.0));
        return sb.toString();
    }
}
