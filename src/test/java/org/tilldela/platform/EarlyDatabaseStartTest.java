package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command starts its embedded PostgreSQL while its context still reads its configuration: the server started
 * ahead is the one the context then gets, and one that nobody asked for in the end (the context failed) is stopped,
 * not left running after the command exits.
 */
class EarlyDatabaseStartTest {

    @TempDir
    Path dataDir;

    @Test
    void aServerStartedAheadIsTheOneAcquiredAndOneNobodyAcquiredIsStopped() throws Exception {
        EmbeddedDatabase.startInBackground(dataDir);
        EmbeddedDatabase.abandon(dataDir);
        Path pid = dataDir.resolve("postgres/postmaster.pid");
        assertThat(pid).as("abandoned: the server stopped").doesNotExist();

        EmbeddedDatabase.startInBackground(dataDir);
        EmbeddedDatabase.startInBackground(dataDir); // a second call while it starts changes nothing
        EmbeddedDatabase.Server server = EmbeddedDatabase.acquire(dataDir);
        try (Connection c = server.connect(EmbeddedDatabase.APP_ROLE); var st = c.createStatement(); var rs = st.executeQuery("select 1")) {
            assertThat(rs.next()).isTrue();
        }
        assertThat(pid).exists();
        long pidBefore = Long.parseLong(java.nio.file.Files.readAllLines(pid).getFirst().trim());
        // a second user shares the server started ahead, it is not started again
        EmbeddedDatabase.Server again = EmbeddedDatabase.acquire(dataDir);
        assertThat(again.jdbcUrl()).isEqualTo(server.jdbcUrl());
        assertThat(Long.parseLong(java.nio.file.Files.readAllLines(pid).getFirst().trim())).isEqualTo(pidBefore);
        EmbeddedDatabase.release(dataDir);
        EmbeddedDatabase.release(dataDir);
        assertThat(pid).as("the last user out stops it").doesNotExist();
    }
}
