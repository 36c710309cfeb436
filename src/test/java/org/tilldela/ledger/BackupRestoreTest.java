package org.tilldela.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggerConfiguration;
import org.springframework.boot.logging.LoggingSystem;
import org.tilldela.CommandLineEntry;
import org.tilldela.platform.Backups;
import org.tilldela.platform.EmbeddedDatabase;

/**
 * A backup taken while the server runs (one snapshot of every table) restores into a fresh data directory with the same
 * rows in every table, and the restored ledger verifies; a restore into a database that is not empty, or of another
 * schema version, is refused with the reason and changes nothing.
 */
class BackupRestoreTest extends LedgerTestSupport {

    @TempDir Path tmp;

    private final LoggingSystem logging = LoggingSystem.get(BackupRestoreTest.class.getClassLoader());
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
    void aBackupRestoresIntoAFreshDatabaseWithTheSameRowsAndAVerifyingLedger() throws Exception {
        append(batch(25, UUID.randomUUID(), UUID.randomUUID()));
        EmbeddedDatabase.Server running = sharedDatabase();
        // a month the fresh database will not have made by itself (it makes this month and the next three)
        try (Connection c = running.connect(EmbeddedDatabase.OWNER); var s = c.createStatement()) {
            s.execute("select ledger_make_month('disclosure_record', date '2031-07-01')");
        }
        Path backup = tmp.resolve("tilldela-backup.zip");
        Backups.Manifest manifest;
        try (Connection c = running.connect(EmbeddedDatabase.OWNER); OutputStream out = Files.newOutputStream(backup)) {
            manifest = Backups.backup(c, out);
        }
        assertThat(manifest.rows()).containsKeys("disclosure_record", "disclosure_terms", "person", "flyway_schema_history", "audit_event");
        assertThat(manifest.ledgerMonths()).contains(java.time.LocalDate.of(2031, 7, 1), java.time.LocalDate.now(java.time.ZoneOffset.UTC).withDayOfMonth(1));
        assertThat(manifest.rows().get("disclosure_record")).isEqualTo(jdbc.sql("select count(*) from disclosure").query(Long.class).single()).isGreaterThanOrEqualTo(25);

        // a fresh data directory: its own embedded PostgreSQL, migrated by the command's start
        Path fresh = Files.createTempDirectory(tmp, "restore-"); // under the test's own temporary directory: removed with it
        String freshDir = "--tilldela.data-dir=" + fresh;
        Output restored = capture(() -> CommandLineEntry.run(new String[] {"restore", backup.toString(), freshDir}));
        assertThat(restored.status()).as(restored.err()).isZero();
        assertThat(restored.out()).contains("restored schema version " + manifest.schemaVersion());

        EmbeddedDatabase.Server copy = EmbeddedDatabase.acquire(fresh);
        try (Connection c = copy.connect(EmbeddedDatabase.OWNER)) {
            // the backup's months were made before the ledger was loaded, by the ledger's own function (append-only)
            try (var s = c.createStatement(); var rs = s.executeQuery("""
                    select (select count(*) from pg_inherits where inhparent = 'disclosure_record'::regclass and inhrelid = to_regclass('disclosure_2031_07')),
                           (select count(*) from pg_trigger where tgrelid = to_regclass('disclosure_2031_07') and tgname like '%no_truncate'),
                           (select count(*) from disclosure_default)""")) {
                rs.next();
                assertThat(rs.getInt(1)).as("the month partition").isEqualTo(1);
                assertThat(rs.getInt(2)).as("its TRUNCATE guard").isEqualTo(1);
                assertThat(rs.getLong(3)).as("records in the default partition").isEqualTo(jdbc.sql("select count(*) from disclosure_default").query(Long.class).single());
            }
            for (var table : manifest.rows().entrySet()) {
                try (var s = c.createStatement(); var rs = s.executeQuery("select count(*) from \"" + table.getKey() + "\"")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as(table.getKey()).isEqualTo(table.getValue());
                }
            }
        } finally {
            EmbeddedDatabase.release(fresh);
        }
        Output verified = capture(() -> CommandLineEntry.run(new String[] {"ledger", "verify", freshDir}));
        assertThat(verified.status()).as(verified.out()).isZero();
        assertThat(verified.out()).contains("records checked: " + String.format("%,d", manifest.rows().get("disclosure_record"))).contains("intact");

        // not into a database that holds anything
        Output again = capture(() -> CommandLineEntry.run(new String[] {"restore", backup.toString(), freshDir}));
        assertThat(again.status()).isEqualTo(3);
        assertThat(again.err()).contains("nothing was restored: this database is not empty");

        // not across schema versions
        Path other = tmp.resolve("other-version.zip");
        rewriteManifest(backup, other, "schema.version=" + manifest.schemaVersion(), "schema.version=1999.1.1");
        Path empty = Files.createTempDirectory("tilldela-restore-test-");
        Output refused = capture(() -> CommandLineEntry.run(new String[] {"restore", other.toString(), "--tilldela.data-dir=" + empty}));
        assertThat(refused.status()).isEqualTo(3);
        assertThat(refused.err()).contains("the backup is of schema version 1999.1.1, this database is at " + manifest.schemaVersion());
    }

    private static void rewriteManifest(Path from, Path to, String find, String replace) throws Exception {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(from)); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(to))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                byte[] content = in.readAllBytes();
                if (e.getName().equals("manifest.properties")) {
                    content = new String(content, StandardCharsets.ISO_8859_1).replace(find, replace).getBytes(StandardCharsets.ISO_8859_1);
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(content);
                out.closeEntry();
            }
        }
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
