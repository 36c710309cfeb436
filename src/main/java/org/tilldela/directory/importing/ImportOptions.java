package org.tilldela.directory.importing;

/**
 * @param source           the source's name; one source is one system's snapshot
 * @param allowMassRemoval let the import remove more persons than the deletion guard allows
 * @param requestedBy      who asked (an administrator's username, or "command-line")
 * @param reread           read the package even if it is the one the source's last import read (which is otherwise
 *                         recognised by its digest and not read again), and compare every row with its stored one (no
 *                         record recognised by its fingerprint); what is read is remembered as usual
 * @param configuredBy     for a run of an import source, who last set its settings (null otherwise): what it fetches is
 *                         theirs to import, bounded by their grant as {@code requestedBy}'s upload is
 */
public record ImportOptions(String source, boolean allowMassRemoval, String requestedBy, boolean reread, String configuredBy) {

    public ImportOptions(String source, boolean allowMassRemoval, String requestedBy) {
        this(source, allowMassRemoval, requestedBy, false);
    }

    public ImportOptions(String source, boolean allowMassRemoval, String requestedBy, boolean reread) {
        this(source, allowMassRemoval, requestedBy, reread, null);
    }

    public ImportOptions {
        if (source == null || !source.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("a source name is 1–64 letters, digits, '.', '_' or '-'; got '" + source + "'");
        }
    }
}
