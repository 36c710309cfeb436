package org.tilldela.directory;

import java.util.UUID;

/**
 * Published (and persisted by Spring Modulith's event registry) when an import has committed changes:
 * listeners read them with {@link DirectoryJournal#ofImport}. The sequence numbers bound this import's
 * journal entries (entries of another source's import running at the same time may lie between them).
 * One notification per import instead of one per person keeps a million-person import fast while
 * nothing is lost: the journal is written in the import's own transaction.
 */
public record DirectoryChangesRecorded(UUID importRunId, String source, long firstSequence, long lastSequence) {
}
