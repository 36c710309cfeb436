package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggerConfiguration;
import org.springframework.boot.logging.LoggingSystem;
import org.tilldela.CommandLineEntry;
import org.tilldela.directory.generator.MunicipalityGenerator;
import org.tilldela.platform.EmbeddedDatabase;
import tools.jackson.databind.json.JsonMapper;

/**
 * The command line, in-process against its own embedded PostgreSQL (a data directory of its own, not the
 * shared test database): a refused file exits non-zero and changes nothing, a good one exits 0, and
 * {@code directory stats} prints the counts as one JSON object.
 */
class OneRosterCommandLineTest {

    @TempDir
    Path tmp;

    /**
     * A command's context configures logging for the whole JVM (levels WARN); put the levels back so that
     * tests running after this one in the same JVM log as before.
     */
    private final LoggingSystem logging = LoggingSystem.get(OneRosterCommandLineTest.class.getClassLoader());
    private final Map<String, LogLevel> levelsBefore = new HashMap<>();

    @BeforeEach
    void rememberLogLevels() {
        logging.getLoggerConfigurations().forEach(c -> levelsBefore.put(c.getName(), c.getConfiguredLevel()));
    }

    @AfterEach
    void restoreLogLevels() {
        for (LoggerConfiguration c : logging.getLoggerConfigurations()) {
            LogLevel was = levelsBefore.get(c.getName());
            if (!Objects.equals(was, c.getConfiguredLevel()) && (was != null || !c.getName().equals(LoggingSystem.ROOT_LOGGER_NAME))) {
                logging.setLogLevel(c.getName(), was);
            }
        }
    }

    @Test
    void importRefusesBadFileWithExitStatus3AcceptsGoodOneAndStatsPrintsJson() throws Exception {
        // Not under @TempDir: the embedded PostgreSQL keeps running in it until the JVM exits.
        Path dataDir = Files.createTempDirectory("tilldela-cli-test-");
        String dataDirArg = "--tilldela.data-dir=" + dataDir;
        Path good = tmp.resolve("good.zip");
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(200, 3, "sv", 0, 0)).writeTo(good);
        Map<String, String> files = OneRosterPackage.small().v11Files();
        files.put("users.csv", OneRosterPackage.dropColumn(files.get("users.csv"), "familyName"));
        Path bad = OneRosterPackage.zip(tmp.resolve("bad.zip"), files);

        Output refused = capture(() -> CommandLineEntry.run(new String[] {"import", "oneroster", bad.toString(), "--source", "cli", dataDirArg}));
        assertThat(refused.status()).isEqualTo(3);
        assertThat(refused.err()).contains("users.csv, line 1, column familyName").contains("nothing was changed");

        Output imported = capture(() -> CommandLineEntry.run(new String[] {"import", "oneroster", good.toString(), "--source", "cli", "--timings", dataDirArg}));
        assertThat(imported.status()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("persons").contains("created");
        // --timings: where the import's time went, phase by phase, on stderr (the summary on stdout stays as it was)
        assertThat(imported.err()).containsPattern("read and stage +\\d+ ms").containsPattern("journal and apply +\\d+ ms")
                .containsPattern("  load stored persons fingerprints +\\d+ ms");
        assertThat(imported.out()).doesNotContain(" ms");
        // the work the import's changes started on other threads (licences, provisioning, retention) was waited for and
        // finished before the command's context closed: none of it cut off half-way and left for the server's next start
        EmbeddedDatabase.Server database = EmbeddedDatabase.acquire(dataDir);
        try (java.sql.Connection c = database.connect(EmbeddedDatabase.OWNER); java.sql.Statement s = c.createStatement();
             java.sql.ResultSet open = s.executeQuery("select count(*), count(*) filter (where status = 'FAILED') from event_publication where completion_date is null")) {
            open.next();
            assertThat(open.getInt(1)).as("follow-ups left unfinished (%d failed)", open.getInt(2)).isZero();
            // with no licence pool at all, licensing read nothing of the import but still moved its watermark past it
            try (java.sql.ResultSet watermark = s.executeQuery(
                    "select (select last_sequence from licence_engine_state where id = 1), (select max(seq) from directory_change)")) {
                watermark.next();
                assertThat(watermark.getLong(2)).isPositive();
                assertThat(watermark.getLong(1)).isEqualTo(watermark.getLong(2));
            }
        } finally {
            EmbeddedDatabase.release(dataDir);
        }

        // the same package again is recognised by its digest: not read, all of it unchanged, and the way to read it anyway said
        Output again = capture(() -> CommandLineEntry.run(new String[] {"import", "oneroster", good.toString(), "--source", "cli", dataDirArg}));
        assertThat(again.status()).as(again.err()).isZero();
        assertThat(again.out()).contains("not read again, nothing changed").containsPattern("persons +0 +0 +0 +200");
        assertThat(again.err()).contains("--reread");

        Output stats = capture(() -> CommandLineEntry.run(new String[] {"directory", "stats", dataDirArg}));
        assertThat(stats.status()).isZero();
        String json = stats.out().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow(() -> new AssertionError("no JSON in: " + stats.out()));
        @SuppressWarnings("unchecked")
        Map<String, Object> counts = JsonMapper.builder().build().readValue(json, Map.class);
        assertThat(counts).containsOnlyKeys("organisations", "persons", "groups", "memberships", "duties", "guardianLinks", "protectedPersons");
        // Only the good file went in: the refused one left nothing behind.
        assertThat(((Number) counts.get("persons")).longValue()).isEqualTo(200);
        assertThat(((Number) counts.get("organisations")).longValue()).isPositive();
        assertThat(((Number) counts.get("groups")).longValue()).isPositive();
        assertThat(((Number) counts.get("memberships")).longValue()).isPositive();
        assertThat(((Number) counts.get("duties")).longValue()).isPositive();
        assertThat(((Number) counts.get("guardianLinks")).longValue()).isPositive();
        assertThat(((Number) counts.get("protectedPersons")).longValue()).isBetween(0L, 10L);
    }

    private record Output(int status, String out, String err) {
    }

    private static synchronized Output capture(Supplier<Integer> command) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8); PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            int status = command.get();
            return new Output(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
            originalOut.print(out.toString(StandardCharsets.UTF_8));
            originalErr.print(err.toString(StandardCharsets.UTF_8));
        }
    }
}
