package org.tilldela.platform;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded PostgreSQL used when no {@code spring.datasource.url} is configured. One server per data
 * directory and JVM: application contexts (the server, a command, each test context) share it, and it
 * stops when the last context using it closes — after that context's beans, which may still need the
 * database while they shut down. (PostgreSQL's own JVM shutdown hook would race them.)
 */
public final class EmbeddedDatabase {

    private static final Map<Path, EmbeddedPostgres> RUNNING = new ConcurrentHashMap<>();
    private static final Map<Path, Integer> USERS = new ConcurrentHashMap<>();

    private EmbeddedDatabase() {
    }

    /** The superuser of the embedded cluster: Flyway migrates as this account, the application never runs as it. */
    public static final String OWNER = "postgres";
    /** The restricted role the application connects as (see the platform's R__runtime_role migration). */
    public static final String APP_ROLE = "tilldela_app";

    /**
     * Starts (or reuses) the server whose cluster lives in {@code dataDir/postgres}; returns its JDBC URL,
     * without a user: connect as {@link #OWNER} to migrate and as {@link #APP_ROLE} to run. The embedded
     * server only listens on localhost and trusts local connections. Each call must be matched by a
     * {@link #release}.
     */
    public static synchronized String acquire(Path dataDir) {
        Path pgDir = pgDir(dataDir);
        EmbeddedPostgres pg = RUNNING.computeIfAbsent(pgDir, EmbeddedDatabase::start);
        USERS.merge(pgDir, 1, Integer::sum);
        return "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
    }

    /** The caller no longer uses the server; the last one out stops it. */
    public static synchronized void release(Path dataDir) {
        Path pgDir = pgDir(dataDir);
        if (USERS.merge(pgDir, -1, Integer::sum) <= 0) {
            USERS.remove(pgDir);
            stop(dataDir);
        }
    }

    private static Path pgDir(Path dataDir) {
        return dataDir.toAbsolutePath().normalize().resolve("postgres");
    }

    /** Stops the server of that data directory, if this JVM runs one. */
    private static synchronized void stop(Path dataDir) {
        EmbeddedPostgres pg = RUNNING.remove(pgDir(dataDir));
        if (pg != null) {
            try {
                pg.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static EmbeddedPostgres start(Path pgDir) {
        try {
            Files.createDirectories(pgDir);
            refuseIfInUse(pgDir);
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(pgDir)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setServerConfig("max_connections", "100")
                    // sized for bulk imports of a large municipality on one machine; an external
                    // PostgreSQL is tuned by its own administrator
                    .setServerConfig("shared_buffers", "1GB")
                    .setServerConfig("wal_buffers", "64MB")
                    .setServerConfig("work_mem", "64MB")
                    .setServerConfig("maintenance_work_mem", "256MB")
                    .setServerConfig("max_wal_size", "4GB")
                    .setServerConfig("checkpoint_timeout", "15min")
                    .setServerConfig("temp_buffers", "256MB")
                    .start();
            createAppRole(pg);
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + pgDir + ": " + e.getMessage(), e);
        }
    }

    /** The role must exist before the application's pool connects; what it may do is granted by migrations. */
    private static void createAppRole(EmbeddedPostgres pg) {
        try (var connection = pg.getPostgresDatabase().getConnection(); var statement = connection.createStatement()) {
            statement.execute("do $$ begin if not exists (select from pg_roles where rolname = '" + APP_ROLE + "') then "
                    + "create role " + APP_ROLE + " login nosuperuser nocreatedb nocreaterole; end if; end $$");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("Could not create the application's database role: " + e.getMessage(), e);
        }
    }

    /**
     * A cluster directory holds one server at a time. A second Tilldela process (a command while the
     * server runs) would otherwise fail deep inside pg_ctl; say what to do instead.
     */
    private static void refuseIfInUse(Path pgDir) throws IOException {
        Path pidFile = pgDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        String firstLine = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
        try {
            long pid = Long.parseLong(firstLine);
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                throw new IllegalStateException("The embedded database in " + pgDir.getParent()
                        + " is in use by another Tilldela process (pid " + pid + "). Stop the server first, "
                        + "or run against a shared PostgreSQL with --spring.datasource.url=jdbc:postgresql://…");
            }
        } catch (NumberFormatException ignored) {
            // a stale or garbled pid file: PostgreSQL itself decides whether it can start
        }
    }
}
