package org.tilldela.directory.importing;

/**
 * The accidental-deletion guard stopped an import: it would have removed more persons than allowed.
 * Nothing was applied. Usually a truncated or wrongly filtered export; when it is real, an administrator
 * approves it (UI) or the command is repeated with --allow-mass-removal.
 */
public class MassRemovalBlockedException extends RuntimeException {

    /** How many of those who would go are placed at a unit (null: at none — guardians and others). */
    public record UnitCount(java.util.UUID unitId, String unitName, int persons) {
    }

    private final int wouldRemove;
    private final long current;
    private final java.util.List<UnitCount> byUnit;
    private final java.util.List<java.util.UUID> first;

    public MassRemovalBlockedException(String source, int wouldRemove, long current, double thresholdPercent) {
        this(source, wouldRemove, current, thresholdPercent, java.util.List.of(), java.util.List.of());
    }

    /** With who would go: counts per unit, and the first persons (by name) of them. */
    public MassRemovalBlockedException(String source, int wouldRemove, long current, double thresholdPercent,
                                       java.util.List<UnitCount> byUnit, java.util.List<java.util.UUID> first) {
        super("Import stopped by the deletion guard, nothing was changed: it would remove " + wouldRemove + " of "
                + current + " persons of source '" + source + "' (more than " + thresholdPercent + "%). "
                + "If this is intended, repeat with --allow-mass-removal or approve it in the web UI.");
        this.wouldRemove = wouldRemove;
        this.current = current;
        this.byUnit = java.util.List.copyOf(byUnit);
        this.first = java.util.List.copyOf(first);
    }

    public java.util.List<UnitCount> byUnit() {
        return byUnit;
    }

    public java.util.List<java.util.UUID> first() {
        return first;
    }

    public int wouldRemove() {
        return wouldRemove;
    }

    public long current() {
        return current;
    }
}
