package org.tilldela.directory;

import java.util.UUID;

/**
 * Published (and persisted by Spring Modulith's event registry) when an import has committed changes:
 * listeners read journal entries {@code firstSequence..lastSequence} through {@link DirectoryJournal}.
 * One notification per import instead of one per person keeps a million-person import fast while
 * nothing is lost: the journal is written in the import's own transaction.
 */
public record DirectoryChangesRecorded(UUID importRunId, String source, long firstSequence, long lastSequence) {
}
