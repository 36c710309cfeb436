package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;

/** The embedded PostgreSQL lets nobody in without a password, listens on loopback only and has no Unix socket. */
class EmbeddedDatabaseSecurityTest extends IntegrationTest {

    @Autowired
    JdbcClient jdbc;

    int port() {
        return jdbc.sql("select current_setting('port')::int").query(Integer.class).single();
    }

    @Test
    void everyRoleNeedsItsPassword() throws Exception {
        String url = "jdbc:postgresql://localhost:" + port() + "/postgres";
        for (String role : List.of(EmbeddedDatabase.OWNER, EmbeddedDatabase.APP_ROLE)) {
            assertThatThrownBy(() -> DriverManager.getConnection(url, role, "").close()).as(role + " without a password")
                    .hasMessageMatching("(?s).*(password|SCRAM).*");
            assertThatThrownBy(() -> DriverManager.getConnection(url, role, "not-the-password").close()).as(role + " with a wrong one")
                    .hasMessageContaining("password authentication failed");
            try (Connection c = connectAs(role, port())) {
                assertThat(c.isValid(2)).isTrue();
            }
        }
        try (Connection c = connectAs(EmbeddedDatabase.OWNER, port()); var st = c.createStatement();
             var rules = st.executeQuery("select coalesce(string_agg(distinct auth_method, ','), '') from pg_hba_file_rules")) {
            rules.next();
            assertThat(rules.getString(1)).isEqualTo("scram-sha-256");
        }
    }

    @Test
    void loopbackOnlyAndNoSocketForOtherLocalAccounts() throws Exception {
        try (Connection c = connectAs(EmbeddedDatabase.OWNER, port()); var st = c.createStatement();
             var settings = st.executeQuery("select current_setting('listen_addresses'), current_setting('unix_socket_directories')")) {
            settings.next();
            assertThat(settings.getString(1)).isEqualTo("localhost");
            assertThat(settings.getString(2)).isEmpty();
        }
        assertThat(Path.of("/tmp/.s.PGSQL." + port())).doesNotExist();
    }

    @Test
    void aCommitWaitsForTheDisk() throws Exception {
        // zonky's default is off; the server must not tell a caller "saved" before the WAL is on disk
        try (Connection c = connectAs(EmbeddedDatabase.APP_ROLE, port()); var st = c.createStatement();
             var setting = st.executeQuery("select setting, source from pg_settings where name = 'synchronous_commit'")) {
            setting.next();
            assertThat(setting.getString(1)).isEqualTo("on");
            assertThat(setting.getString(2)).isEqualTo("command line");
        }
        // zonky starts the server with -F (fsync off): a commit "on disk" would then be in the page cache only
        try (Connection c = connectAs(EmbeddedDatabase.OWNER, port()); var st = c.createStatement();
             var settings = st.executeQuery("select string_agg(name || '=' || setting, ',' order by name) from pg_settings"
                     + " where name in ('fsync', 'full_page_writes')")) {
            settings.next();
            assertThat(settings.getString(1)).isEqualTo("fsync=on,full_page_writes=on");
        }
        // only this suite's own pool (pom.xml: tilldela.db.synchronous-commit=off) opts out, per connection
        assertThat(jdbc.sql("select current_setting('synchronous_commit')").query(String.class).single()).isEqualTo("off");
    }

    @Test
    void thePasswordsAreReadableByTheServiceAccountOnly() throws Exception {
        Path file = dataDir().resolve(DatabaseCredentials.FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        assertThat(Files.readString(file)).doesNotContain("initdb");
        try (var files = Files.list(dataDir())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".pw"));
        }
    }

    /** A data directory made before passwords were required (initdb -A trust) stops trusting at its next start. */
    @Test
    void aTrustingClusterFromAnEarlierVersionIsClosed(@TempDir Path dataDir) throws Exception {
        Path pgDir = dataDir.resolve("postgres");
        try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(pgDir).setCleanDataDirectory(false).start()) {
            assertThat(Files.readString(pgDir.resolve("pg_hba.conf"))).contains("trust");
        }
        EmbeddedDatabase.Server server = EmbeddedDatabase.acquire(dataDir);
        try {
            assertThatThrownBy(() -> DriverManager.getConnection(server.jdbcUrl(), EmbeddedDatabase.OWNER, "").close())
                    .hasMessageMatching("(?s).*(password|SCRAM).*");
            try (Connection c = server.connect(EmbeddedDatabase.OWNER)) {
                assertThat(c.isValid(2)).isTrue();
            }
            try (Connection c = server.connect(EmbeddedDatabase.APP_ROLE)) {
                assertThat(c.isValid(2)).isTrue();
            }
            assertThat(Files.readString(pgDir.resolve("pg_hba.conf"))).doesNotContain("trust");
        } finally {
            EmbeddedDatabase.release(dataDir);
        }
    }
}
