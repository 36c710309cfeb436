package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.CommandProcess;
import org.tilldela.IntegrationTest;

/**
 * Commands as a user runs them (a JVM of their own) on the data directory of a running server — this test's, whose
 * contexts hold the embedded database like the server does: they run beside it on its PostgreSQL, leave it running, and
 * say in one line, with exit status 2 and no stack trace, why they cannot when they cannot.
 */
class CommandBesideServerProcessTest extends IntegrationTest {

    @TempDir
    Path tmp;

    @Autowired
    JdbcClient jdbc;

    private CommandProcess command(String... arguments) throws Exception {
        return CommandProcess.run(CommandProcess.fromClasses(arguments), Map.of(), tmp, Duration.ofMinutes(2));
    }

    private static void assertOneLineWithoutStackTrace(CommandProcess run, String why) {
        assertThat(run.exit()).as(run.printed()).isEqualTo(2);
        assertThat(run.printed()).as("why, in one line").contains("error: " + why)
                .doesNotContain("Exception").doesNotContainPattern("(?m)^\\s+at \\S+\\(");
    }

    @Test
    void aCommandRunsBesideTheServerOnItsDatabaseAndLeavesItRunning() throws Exception {
        long persons = jdbc.sql("select count(*) from person").query(Long.class).single();

        CommandProcess run = command("directory", "stats", "--tilldela.data-dir=" + dataDir());

        assertThat(run.exit()).as(run.printed()).isZero();
        assertThat(run.printed()).as("the counts of the server's database").contains("{\"organisations\":").contains("\"persons\":");
        // the server's PostgreSQL still serves it: the command let go of it without stopping it
        assertThat(jdbc.sql("select count(*) from person").query(Long.class).single()).isGreaterThanOrEqualTo(persons);
        assertThat(dataDir().resolve("postgres").resolve(EmbeddedDatabase.SERVER_MARK)).exists();
    }

    @Test
    void aDatabaseAnotherCommandHoldsIsRefusedInOneLine() throws Exception {
        // a cluster whose PostgreSQL runs but no server holds it: as when another command started it (and stops it at its end)
        Path held = tmp.resolve("held");
        Files.createDirectories(held.resolve("postgres"));
        Files.copy(dataDir().resolve("postgres").resolve("postmaster.pid"), held.resolve("postgres").resolve("postmaster.pid"));

        CommandProcess run = command("ledger", "verify", "--tilldela.data-dir=" + held);

        assertOneLineWithoutStackTrace(run, "The embedded database in " + held + " is in use by another Tilldela process");
    }

    @Test
    void aCommandOfAnotherReleaseLeavesTheServersDatabaseAsItIs() throws Exception {
        // this "release" has a migration more than the server's database
        Path newer = tmp.resolve("newer");
        Files.createDirectories(newer);
        Files.writeString(newer.resolve("V9999.2__a_later_release.sql"), "create table a_later_release (id int);\n");

        CommandProcess run = command("directory", "stats", "--tilldela.data-dir=" + dataDir(),
                "--spring.flyway.locations=classpath:db/migration,filesystem:" + newer);

        assertOneLineWithoutStackTrace(run, "The server running on " + dataDir().toAbsolutePath().normalize() + " is of another release");
        assertThat(jdbc.sql("select count(*) from flyway_schema_history where version = '9999.2'").query(Long.class).single()).isZero();
        assertThat(jdbc.sql("select to_regclass('a_later_release') is null").query(Boolean.class).single()).isTrue();

        // and an older "release": the server's database has migrations this one does not know
        Path older = tmp.resolve("older");
        Files.createDirectories(older);
        Files.writeString(older.resolve("V2000.1__an_earlier_release.sql"), "select 1;\n");
        assertOneLineWithoutStackTrace(command("directory", "stats", "--tilldela.data-dir=" + dataDir(), "--spring.flyway.locations=filesystem:" + older),
                "The server running on " + dataDir().toAbsolutePath().normalize() + " is of another release");
    }
}
