package org.tilldela.directory.importing;

/**
 * @param source           the source's name; one source is one system's snapshot
 * @param allowMassRemoval let the import remove more persons than the deletion guard allows
 * @param requestedBy      who asked (an administrator's username, or "command-line")
 */
public record ImportOptions(String source, boolean allowMassRemoval, String requestedBy) {

    public ImportOptions {
        if (source == null || !source.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("a source name is 1–64 letters, digits, '.', '_' or '-'; got '" + source + "'");
        }
    }
}
