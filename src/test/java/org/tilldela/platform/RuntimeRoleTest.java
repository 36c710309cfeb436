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
    void theApplicationOwnsNoTableButWorksWithItsWorkingTables() {
        assertThat(jdbc.sql("select count(*) from pg_tables where schemaname = 'public' and tableowner = current_user").query(Integer.class).single())
                .isZero();
        assertThat(jdbc.sql("select has_table_privilege('person', 'insert, update, delete, truncate')").query(Boolean.class).single()).isTrue();
        assertThat(jdbc.sql("select has_table_privilege('disclosure', 'update')").query(Boolean.class).single()).isFalse();
    }
}
