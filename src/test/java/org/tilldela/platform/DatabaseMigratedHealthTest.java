package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Status;
import org.tilldela.IntegrationTest;

/** Health is UP only when every migration the build carries has been applied. */
class DatabaseMigratedHealthTest extends IntegrationTest {

    @Autowired
    DataSource dataSource;
    @Autowired
    Flyway flyway;

    @Test
    void upWhenMigrated() {
        assertThat(new DatabaseMigratedHealthIndicator(flyway).health().getStatus()).isEqualTo(Status.UP);
    }

    @Test
    void downWhileAMigrationIsPending() {
        Flyway withOneMore = Flyway.configure().dataSource(dataSource)
                .locations("classpath:db/migration", "classpath:db/pending-test").load();
        var health = new DatabaseMigratedHealthIndicator(withOneMore).health();
        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails()).containsEntry("pending", 1);
    }

    @Test
    void downWhenTheDatabaseIsUnreachable() {
        Flyway unreachable = Flyway.configure().dataSource("jdbc:postgresql://127.0.0.1:1/none", "nobody", "nothing")
                .connectRetries(0).load();
        assertThat(new DatabaseMigratedHealthIndicator(unreachable).health().getStatus()).isEqualTo(Status.DOWN);
    }
}
