package org.tilldela.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggerConfiguration;
import org.springframework.boot.logging.LoggingSystem;
import org.tilldela.CommandLineEntry;
import org.tilldela.platform.EmbeddedDatabase;

/**
 * {@code ledger verify} on the command line, in-process, against the test database as the application's
 * role: exit status 0 and "intact" for an intact chain; 1 naming the record after one row was tampered with.
 */
class LedgerCommandLineTest extends LedgerTestSupport {

    private final LoggingSystem logging = LoggingSystem.get(LedgerCommandLineTest.class.getClassLoader());
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
    void verifyExitsZeroWhenIntactAndOneNamingTheTamperedRecord() throws Exception {
        long target = append(batch(4, UUID.randomUUID(), UUID.randomUUID()))[2];
        String[] args = {"ledger", "verify", "--tilldela.data-dir=" + dataDir(), "--spring.datasource.url=" + jdbcUrl(), "--spring.datasource.username=" + EmbeddedDatabase.APP_ROLE,
                "--spring.datasource.password=" + org.tilldela.platform.DatabaseCredentials.read(dataDir()).password(EmbeddedDatabase.APP_ROLE)};

        Output intact = capture(args);
        assertThat(intact.status()).as(intact.err()).isZero();
        assertThat(intact.out()).contains("records checked:").contains("records/s").contains("intact");

        String purpose = jdbc.sql("select purpose from disclosure where sequence = :s").param("s", target).query(String.class).single();
        try {
            tamperPurpose(target, "Profiling", null, null);
            Output broken = capture(args);
            assertThat(broken.status()).isEqualTo(1);
            assertThat(broken.out()).contains("BROKEN at record " + target + ": hash mismatch");
        } finally {
            tamperPurpose(target, purpose, null, null);
        }
        assertThat(capture(args).status()).isZero();
    }

    @Test
    void aCheckpointWrittenToAFileIsCheckedByVerifyAgainstTheChain(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        append(batch(3, UUID.randomUUID(), UUID.randomUUID()));
        // the test's own data directory: the command signs with the same checkpoint key as the server
        String[] connection = {"--tilldela.data-dir=" + dataDir(), "--spring.datasource.url=" + jdbcUrl(), "--spring.datasource.username=" + EmbeddedDatabase.APP_ROLE,
                "--spring.datasource.password=" + org.tilldela.platform.DatabaseCredentials.read(dataDir()).password(EmbeddedDatabase.APP_ROLE)};
        java.nio.file.Path file = dir.resolve("checkpoint.jws");
        Output made = capture(with(connection, "ledger", "checkpoint", "--out", file.toString()));
        assertThat(made.status()).as(made.err()).isZero();
        assertThat(made.out()).contains("checkpoint at record").contains("written to");
        assertThat(java.nio.file.Files.readString(file)).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\s*");

        Output holds = capture(with(connection, "ledger", "verify", "--checkpoint", file.toString()));
        assertThat(holds.status()).as(holds.out() + holds.err()).isZero();
        assertThat(holds.out()).contains("signed checkpoints that hold:").contains("the published checkpoint at record").contains("holds");

        java.nio.file.Files.writeString(file, "eyJhbGciOiJub25lIn0.e30.");
        Output refused = capture(with(connection, "ledger", "verify", "--checkpoint", file.toString()));
        assertThat(refused.status()).isEqualTo(1);
        assertThat(refused.out()).contains("BROKEN against the published checkpoint");

        Output key = capture(with(connection, "ledger", "checkpoint", "--public-key"));
        assertThat(key.status()).isZero();
        assertThat(key.out()).contains("\"kty\":\"EC\"").contains("\"crv\":\"P-256\"").doesNotContain("\"d\"");
    }

    private static String[] with(String[] connection, String... command) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(command), java.util.Arrays.stream(connection)).toArray(String[]::new);
    }

    record Output(int status, String out, String err) {
    }

    private static Output capture(String[] args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int status = CommandLineEntry.run(args);
            return new Output(status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
