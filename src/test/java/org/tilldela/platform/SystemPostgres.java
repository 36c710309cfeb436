package org.tilldela.platform;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server from the operating system's own packages (Debian's {@code postgresql}, installed by
 * .ci/run), in a cluster of its own under a temporary directory: what an operator runs, not the embedded
 * server Tilldela ships. Password authentication only, loopback only, started as the {@code postgres}
 * account when the tests run as root (PostgreSQL refuses to run as root).
 */
final class SystemPostgres implements AutoCloseable {

    static final String SUPERUSER = "postgres";

    private final Path bin;
    private final Path dir;
    private final int port;
    private final String superuserPassword = UUID.randomUUID().toString();

    private SystemPostgres(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    static SystemPostgres start() throws IOException, InterruptedException {
        Path bin = binaries();
        Path dir = Files.createTempDirectory("tilldela-system-pg-");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        SystemPostgres pg = new SystemPostgres(bin, dir, port);
        Path pwfile = dir.resolve("pw");
        Files.writeString(pwfile, pg.superuserPassword + "\n");
        pg.giveToServiceAccount(dir);
        pg.run(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", SUPERUSER, "-E", "UTF8",
                "--auth=scram-sha-256", "--pwfile=" + pwfile, "--no-instructions"));
        pg.run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l", dir.resolve("log").toString(), "-w",
                "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir, "start"));
        return pg;
    }

    /** The newest installed PostgreSQL's binaries; fails with what to install when there are none. */
    private static Path binaries() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                var found = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))));
                if (found.isPresent()) {
                    return found.get();
                }
            }
        }
        throw new IllegalStateException("This test needs the operating system's PostgreSQL server: apt-get install postgresql (.ci/run does)");
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    Connection connect(String database, String user, String password) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user, password);
    }

    Connection superuser(String database) throws SQLException {
        return connect(database, SUPERUSER, superuserPassword);
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private void giveToServiceAccount(Path path) throws IOException, InterruptedException {
        if (root()) {
            exec(List.of("chown", "-R", SUPERUSER + ":", path.toString()));
        }
    }

    private void run(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (root()) {
            full.addAll(List.of("runuser", "-u", SUPERUSER, "--"));
        }
        full.addAll(command);
        exec(full);
    }

    private void exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("commands.log").toFile().exists()
                ? ProcessBuilder.Redirect.appendTo(dir.resolve("commands.log").toFile()) : ProcessBuilder.Redirect.to(dir.resolve("commands.log").toFile())).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + Files.readString(dir.resolve("commands.log")));
        }
    }

    @Override
    public void close() throws Exception {
        try {
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop"));
        } finally {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
