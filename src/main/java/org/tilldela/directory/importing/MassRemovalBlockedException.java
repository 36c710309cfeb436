package org.tilldela.directory.importing;

/**
 * The accidental-deletion guard stopped an import: it would have removed more persons than allowed.
 * Nothing was applied. Usually a truncated or wrongly filtered export; when it is real, an administrator
 * approves it (UI) or the command is repeated with --allow-mass-removal.
 */
public class MassRemovalBlockedException extends RuntimeException {

    private final int wouldRemove;
    private final long current;

    public MassRemovalBlockedException(String source, int wouldRemove, long current, double thresholdPercent) {
        super("Import stopped by the deletion guard, nothing was changed: it would remove " + wouldRemove + " of "
                + current + " persons of source '" + source + "' (more than " + thresholdPercent + "%). "
                + "If this is intended, repeat with --allow-mass-removal or approve it in the web UI.");
        this.wouldRemove = wouldRemove;
        this.current = current;
    }

    public int wouldRemove() {
        return wouldRemove;
    }

    public long current() {
        return current;
    }
}
