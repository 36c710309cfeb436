package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.EnumSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.TilldelaApplication;
import org.tilldela.directory.generator.MunicipalityGenerator;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.importing.ImportSummary;
import org.tilldela.directory.oneroster.OneRosterReader;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/**
 * The README's "Database roles" setup on the operating system's PostgreSQL, with no superuser anywhere:
 * the database is owned by an ordinary role that Flyway migrates as, the application connects as another
 * ordinary role that is not even a member of it. Two nodes share the database and serve one signed-in
 * administrator.
 */
class TwoRoleDatabaseTest {

    static SystemPostgres pg;
    static final String OWNER = "tilldela_owner";
    static final String APP = "tilldela_runtime";
    static final String OWNER_PASSWORD = UUID.randomUUID().toString();
    static final String APP_PASSWORD = UUID.randomUUID().toString();

    @BeforeAll
    static void startServer() throws Exception {
        pg = SystemPostgres.start();
        try (Connection c = pg.superuser("postgres"); var st = c.createStatement()) {
            st.execute("create role " + OWNER + " login nosuperuser nocreatedb nocreaterole password '" + OWNER_PASSWORD + "'");
            st.execute("create role " + APP + " login nosuperuser nocreatedb nocreaterole password '" + APP_PASSWORD + "'");
            st.execute("create database tilldela owner " + OWNER);
        }
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    private static ConfigurableApplicationContext node(Path dataDir) {
        return new SpringApplicationBuilder(TilldelaApplication.class).run("--server.port=0", "--spring.main.banner-mode=off",
                "--spring.datasource.url=" + pg.jdbcUrl("tilldela"), "--spring.datasource.username=" + APP,
                "--spring.datasource.password=" + APP_PASSWORD, "--spring.flyway.user=" + OWNER, "--spring.flyway.password=" + OWNER_PASSWORD,
                "--tilldela.data-dir=" + dataDir, "--tilldela.bootstrap.enabled=false", "--tilldela.demo=false");
    }

    @Test
    void ordinaryOwnerAndApplicationRolesRunTwoNodesThatShareSessions(@TempDir Path dataA, @TempDir Path dataB, @TempDir Path files) throws Exception {
        try (ConfigurableApplicationContext a = node(dataA); ConfigurableApplicationContext b = node(dataB)) {
            JdbcClient asApp = JdbcClient.create(a.getBean(DataSource.class));
            assertThat(asApp.sql("select current_user").query(String.class).single()).isEqualTo(APP);
            assertThat(asApp.sql("select rolsuper from pg_roles where rolname = :r").param("r", OWNER).query(Boolean.class).single()).isFalse();
            assertThat(asApp.sql("select pg_has_role(:o, :a, 'member')").param("o", OWNER).param("a", APP).query(Boolean.class).single()).isFalse();
            assertThat(asApp.sql("select count(*) from pg_tables where schemaname = 'public' and tableowner <> :o").param("o", OWNER)
                    .query(Integer.class).single()).isZero();

            // the application works with what it was granted: a first bulk import defers and restores indexes,
            // fresh statistics go through the owner's function; it still cannot create, alter or rewrite history
            Path zip = files.resolve("municipality.zip");
            MunicipalityGenerator.Result generated = new MunicipalityGenerator(new MunicipalityGenerator.Settings(400, 7, "sv", 0, 0)).writeTo(zip);
            ImportSummary summary = a.getBean(ImportRuns.class).runNow("ONEROSTER", new ImportOptions("two-roles", false, "test"),
                    new OneRosterReader(zip, "municipality.zip"), ImportProgress.NONE, "municipality.zip");
            assertThat(summary.changedAnything()).isTrue();
            assertThat(asApp.sql("select count(*) from person where source = 'two-roles'").query(Integer.class).single()).isEqualTo(generated.persons());
            asApp.sql("select analyze_working_table(cast('person' as regclass))").query().singleRow();
            assertThatThrownBy(() -> asApp.sql("select analyze_working_table(cast('disclosure_record' as regclass))").query().singleRow())
                    .rootCause().hasMessageContaining("not a working table");
            assertThatThrownBy(() -> asApp.sql("create table intruder (id int)").update()).rootCause().hasMessageContaining("permission denied");
            assertThatThrownBy(() -> asApp.sql("alter table person add column x int").update()).rootCause().hasMessageContaining("must be owner");
            assertThatThrownBy(() -> asApp.sql("delete from disclosure_record").update()).rootCause().hasMessageContaining("permission denied");
            assertThatThrownBy(() -> asApp.sql("delete from flyway_schema_history").update()).rootCause().hasMessageContaining("permission denied");

            a.getBean(AdminAccounts.class).create("two-nodes", "Two Nodes", "correct horse battery staple",
                    EnumSet.of(AdminRight.DIRECTORY_ADMIN), "test");
            HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER).build();
            String portA = a.getEnvironment().getProperty("local.server.port");
            String portB = b.getEnvironment().getProperty("local.server.port");
            assertThat(portA).isNotEqualTo(portB);

            String loginPage = browser.send(HttpRequest.newBuilder(URI.create("http://localhost:" + portA + "/login")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(loginPage);
            assertThat(csrf.find()).as("the sign-in form carries a CSRF token").isTrue();
            String form = "username=two-nodes&password=" + URLEncoder.encode("correct horse battery staple", StandardCharsets.UTF_8)
                    + "&_csrf=" + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8);
            HttpResponse<String> signedIn = browser.send(HttpRequest.newBuilder(URI.create("http://localhost:" + portA + "/login"))
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(signedIn.statusCode()).isEqualTo(302);
            assertThat(signedIn.headers().firstValue("Location").orElse("")).doesNotContain("error");

            // the session made on node A is found by node B in the shared database
            HttpResponse<String> onB = browser.send(HttpRequest.newBuilder(URI.create("http://localhost:" + portB + "/directory")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(onB.statusCode()).isEqualTo(200);
            assertThat(onB.body()).contains("two-nodes");
        }
    }
}
