package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;

/** The application runs as a restricted database role: not a superuser, no new tables, no schema changes to what it does not own. */
class RuntimeRoleTest extends IntegrationTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void theApplicationIsNotTheDatabaseSuperuser() {
        assertThat(jdbc.sql("select current_user").query(String.class).single()).isEqualTo(EmbeddedDatabase.APP_ROLE);
        assertThat(jdbc.sql("select rolsuper from pg_roles where rolname = current_user").query(Boolean.class).single()).isFalse();
    }

    @Test
    void theApplicationCannotCreateTablesOrRewriteTheMigrationHistory() {
        assertThatThrownBy(() -> jdbc.sql("create table intruder (id int)").update()).rootCause().hasMessageContaining("permission denied");
        assertThatThrownBy(() -> jdbc.sql("delete from flyway_schema_history").update()).rootCause().hasMessageContaining("permission denied");
        assertThatThrownBy(() -> jdbc.sql("select * from deferred_index").query().listOfRows()).rootCause().hasMessageContaining("permission denied");
    }

    @Test
    void theApplicationOwnsItsWorkingTables() {
        assertThat(jdbc.sql("select tableowner from pg_tables where tablename = 'person'").query(String.class).single())
                .isEqualTo(EmbeddedDatabase.APP_ROLE);
    }
}
