package org.tilldela;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of every test that needs the application and its database. All such tests share one Spring
 * context and so one embedded PostgreSQL (started once per test JVM in a fresh directory), keeping the
 * suite fast. Tests isolate themselves by using their own source names, not by wiping the database.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"tilldela.demo=false", "tilldela.bootstrap.enabled=false",
                // a second loopback address stands for a reverse proxy in tests of forwarded headers (PublicOriginTest)
                "tilldela.trusted-proxies=127.0.0.2",
                // the utilisation page counts on each visit, however much other tests left in the shared database
                // (UtilisationPageTest keeps its figures on purpose)
                "tilldela.usage.utilisation.live-below=9223372036854775807",
                // the SS 12000 tests' servers listen on the loopback address, on ports of their own
                "tilldela.import.allowed-hosts=127.0.0.1:*",
                // the tests' OpenID providers and SAML metadata are served on this machine
                "tilldela.sso.allowed-hosts=*,localhost:*,127.0.0.1:*",
                // short, so tests of a hung upstream identity provider end soon (UpstreamProviderFailuresTest); ample on the loopback address
                "tilldela.sso.upstream-timeout=3s",
                // a failed sign-in waits 100 ms, doubled per failure (250 ms in production): still measurably held back
                // (SignInFlowTest), without the several seconds each lockout walk would wait at the production delay
                "tilldela.sign-in.failure-delay=100ms",
                // administrator passwords: bcrypt at its least work (each API call with HTTP Basic checks one; at the
                // production factor of 10 they were a third of the suite's CPU time); AdminPasswordHashesTest covers 10
                "tilldela.passwords.bcrypt-strength=4",
                // SCIM push (ScimPushTest): short backoff, few attempts and a short HTTP timeout, so failing suppliers end in dead letters soon
                "tilldela.provisioning.poll-interval=100ms", "tilldela.provisioning.backoff-base=100ms", "tilldela.provisioning.backoff-max=400ms",
                "tilldela.provisioning.max-attempts=3", "tilldela.provisioning.http-timeout=2s",
                // the SCIM test servers listen on the loopback address: listed by name, as an operator lists a supplier inside the network
                "tilldela.provisioning.allowed-hosts=*,localhost:*,127.0.0.1:*"})
public abstract class IntegrationTest {

    private static final Path DATA_DIR;

    static {
        try {
            DATA_DIR = Files.createTempDirectory("tilldela-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // the data directory (hundreds of MB after the whole suite) goes with the JVM, once the contexts' closing (another
        // shutdown hook) has stopped its server; a server still running after 10 s keeps its directory
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Path pid = DATA_DIR.resolve("postgres").resolve("postmaster.pid");
            for (int i = 0; i < 100 && Files.exists(pid); i++) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (Files.exists(pid)) {
                return;
            }
            try (var files = Files.walk(DATA_DIR)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                // left for the system's temporary files to go
            }
        }, "test-data-directory-removal"));
    }

    /** The shared embedded database's data directory (its passwords are in DatabaseCredentials.FILE under it). */
    protected static Path dataDir() {
        return DATA_DIR;
    }

    /**
     * Where the shared embedded database listens and its roles' passwords. Let go again at once: the running contexts hold
     * the server, and an acquire never released kept it running after the test JVM had gone (one PostgreSQL and its data
     * directory under /tmp left behind by every run of the whole suite).
     */
    protected static org.tilldela.platform.EmbeddedDatabase.Server sharedDatabase() {
        org.tilldela.platform.EmbeddedDatabase.Server server = org.tilldela.platform.EmbeddedDatabase.acquire(DATA_DIR);
        org.tilldela.platform.EmbeddedDatabase.release(DATA_DIR);
        return server;
    }

    /** A plain JDBC connection to the shared embedded database as one of its roles, with that role's password. */
    protected static java.sql.Connection connectAs(String role, int port) throws java.sql.SQLException {
        return java.sql.DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", role,
                org.tilldela.platform.DatabaseCredentials.read(DATA_DIR).password(role));
    }

    @org.springframework.boot.test.web.server.LocalServerPort
    private int port;

    /** The server under test as its users reach it (no tilldela.base-url is set: http://localhost on its own port). */
    protected String baseUrl() {
        return "http://localhost:" + port;
    }

    @DynamicPropertySource
    static void dataDirectory(DynamicPropertyRegistry registry) {
        registry.add("tilldela.data-dir", DATA_DIR::toString);
        // a real SMTP server for the import sources' failure alerts (SourceAlertsTest); started once, on first use
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", TestSmtp::port);
    }
}
