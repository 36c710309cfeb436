package org.tilldela.licensing;

/**
 * {@link ImportCommandProcessTest} once more after {@code package}, when the build has made the command context ahead
 * of time (platform's AheadOfTime): beside the server the command takes it, and its follow-up is still its own and done
 * when it exits ({@code OwnPublications} comes from the made context then). On the shared database as an external
 * PostgreSQL the command reads its context from its classes (the database's address shapes the context).
 */
class ImportCommandProcessIT extends ImportCommandProcessTest {

    @Override
    boolean madeAheadOfTime() {
        return true;
    }
}
