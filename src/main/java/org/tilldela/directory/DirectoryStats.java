package org.tilldela.directory;

/** Counts of what the directory holds, across all sources. */
public record DirectoryStats(long organisations, long persons, long groups, long memberships, long duties,
                             long guardianLinks, long protectedPersons) {
}
