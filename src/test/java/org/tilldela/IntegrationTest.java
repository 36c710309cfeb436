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
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
        properties = {"tilldela.demo=false", "tilldela.bootstrap.enabled=false"})
public abstract class IntegrationTest {

    private static final Path DATA_DIR;
    /**
     * Chosen before the context starts, so the configured public address (tilldela.base-url: links, the
     * OpenID issuer) can name it — as in production, where the address is configured, not guessed.
     */
    private static final int PORT;

    static {
        try {
            DATA_DIR = Files.createTempDirectory("tilldela-test-");
            try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
                PORT = socket.getLocalPort();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The public address of the server under test. */
    protected static String baseUrl() {
        return "http://localhost:" + PORT;
    }

    /** The shared embedded database's data directory (its passwords are in DatabaseCredentials.FILE under it). */
    protected static Path dataDir() {
        return DATA_DIR;
    }

    /** A plain JDBC connection to the shared embedded database as one of its roles, with that role's password. */
    protected static java.sql.Connection connectAs(String role, int port) throws java.sql.SQLException {
        return java.sql.DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", role,
                org.tilldela.platform.DatabaseCredentials.read(DATA_DIR).password(role));
    }

    @DynamicPropertySource
    static void dataDirectory(DynamicPropertyRegistry registry) {
        registry.add("tilldela.data-dir", DATA_DIR::toString);
        registry.add("server.port", () -> PORT);
        registry.add("tilldela.base-url", IntegrationTest::baseUrl);
    }
}
