package org.tilldela.directory;

/**
 * A module that follows the directory's change journal by sequence number ({@link DirectoryJournal#after}), not only
 * import by import: how far it has read. The journal's retention never deletes an entry after that point, however old
 * (see {@code DirectoryJournalRetention}).
 */
public interface JournalFollower {

    /** The last sequence number handled; entries up to it may be deleted once they are old enough. */
    long followedThrough();
}
