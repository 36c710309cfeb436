package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.TilldelaApplication;

/**
 * With spring.datasource.url set, Tilldela uses that PostgreSQL (here a separately started server
 * standing in for an external one), migrates it, and starts no embedded database of its own.
 */
class ExternalDatabaseTest {

    @Test
    void anExternalDatabaseIsMigratedAndNoEmbeddedOneIsStarted(@TempDir Path dataDir, @TempDir Path externalDir) throws Exception {
        try (EmbeddedPostgres external = EmbeddedPostgres.builder().setDataDirectory(externalDir).start();
             ConfigurableApplicationContext app = new SpringApplicationBuilder(TilldelaApplication.class).web(WebApplicationType.NONE)
                     .run("--spring.datasource.url=" + external.getJdbcUrl("postgres", "postgres"), "--spring.datasource.username=postgres",
                             "--tilldela.data-dir=" + dataDir, "--tilldela.bootstrap.enabled=false", "--spring.main.banner-mode=off")) {
            JdbcClient jdbc = JdbcClient.create(external.getPostgresDatabase());
            assertThat(jdbc.sql("select count(*) from school_form").query(Integer.class).single()).isGreaterThan(10);
            assertThat(jdbc.sql("select count(*) from flyway_schema_history where success").query(Integer.class).single()).isGreaterThanOrEqualTo(2);
            assertThat(dataDir.resolve("postgres")).doesNotExist();
            try (var connection = app.getBean(javax.sql.DataSource.class).getConnection()) {
                assertThat(connection.getMetaData().getURL()).isEqualTo(external.getJdbcUrl("postgres", "postgres"));
            }
        }
    }
}
