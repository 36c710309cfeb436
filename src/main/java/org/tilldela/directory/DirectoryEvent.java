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

    /**
     * A person's own attributes changed — what the release policy can release about them that is not a
     * placement: given or family name, e-mail, civic number (and so birth date), username, protection, or
     * their guardian links. A supplier that holds the old value needs the new one; licences do not move.
     * (A change of enrolment, class, group or duty is a {@link PersonMoved}; a person can be both in one
     * import.)
     */
    record PersonChanged(long sequence, UUID importRunId, Instant recordedAt, UUID personId) implements DirectoryEvent {
    }

    /** A person is no longer in their source. */
    record PersonLeft(long sequence, UUID importRunId, Instant recordedAt, UUID personId) implements DirectoryEvent {
    }

    /** A group was created, removed, renamed, or its members changed. */
    record GroupChanged(long sequence, UUID importRunId, Instant recordedAt, UUID groupId) implements DirectoryEvent {
    }
}
