package org.tilldela.directory;

import java.time.Instant;
import java.util.UUID;

/**
 * What an import changed, one entry of the directory's change journal. Joiner / mover / leaver is how
 * licences, accounts and access follow people without anyone doing it by hand.
 */
public sealed interface DirectoryEvent {

    long sequence();

    UUID importRunId();

    Instant recordedAt();

    /** A person appeared in a source. */
    record PersonJoined(long sequence, UUID importRunId, Instant recordedAt, UUID personId) implements DirectoryEvent {
    }

    /** A person's placements changed: enrolment, class or group membership, or duty. */
    record PersonMoved(long sequence, UUID importRunId, Instant recordedAt, UUID personId) implements DirectoryEvent {
    }

    /** A person is no longer in their source. */
    record PersonLeft(long sequence, UUID importRunId, Instant recordedAt, UUID personId) implements DirectoryEvent {
    }

    /** A group was created, removed, renamed, or its members changed. */
    record GroupChanged(long sequence, UUID importRunId, Instant recordedAt, UUID groupId) implements DirectoryEvent {
    }
}
