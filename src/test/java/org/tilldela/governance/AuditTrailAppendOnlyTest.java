package org.tilldela.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.flyway.autoconfigure.FlywayDataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.platform.EmbeddedDatabase;

/**
 * The audit trail is append-only: the application's role may add and read entries but not change,
 * remove or truncate them, and the table's triggers refuse even its owner.
 */
class AuditTrailAppendOnlyTest extends IntegrationTest {

    @Autowired
    JdbcClient jdbc;
    @Autowired
    AuditTrail audit;
    @Autowired
    @FlywayDataSource
    DataSource owner;

    @Test
    void theApplicationAddsAndReadsButCannotChangeRemoveOrTruncate() {
        String target = "append-only-" + UUID.randomUUID();
        audit.record("test", "APPEND_ONLY_PROBE", "probe", target, Map.of("n", 1));
        assertThat(audit.about("probe", target)).hasSize(1);

        assertThatThrownBy(() -> jdbc.sql("update audit_event set actor = 'someone else' where target_id = :t").param("t", target).update())
                .rootCause().hasMessageContaining("permission denied");
        assertThatThrownBy(() -> jdbc.sql("delete from audit_event where target_id = :t").param("t", target).update())
                .rootCause().hasMessageContaining("permission denied");
        assertThatThrownBy(() -> jdbc.sql("truncate audit_event").update()).rootCause().hasMessageContaining("permission denied");
        // nor can it take the table over or switch the guard off
        assertThatThrownBy(() -> jdbc.sql("alter table audit_event disable trigger audit_event_no_update_or_delete").update())
                .rootCause().hasMessageContaining("must be owner");

        assertThat(audit.about("probe", target)).singleElement().satisfies(e -> assertThat(e.actor()).isEqualTo("test"));
        assertThat(jdbc.sql("select tableowner from pg_tables where tablename = 'audit_event'").query(String.class).single())
                .isNotEqualTo(EmbeddedDatabase.APP_ROLE);
    }

    @Test
    void theTriggersRefuseEvenTheOwner() {
        String target = "append-only-owner-" + UUID.randomUUID();
        audit.record("test", "APPEND_ONLY_PROBE", "probe", target, null);
        JdbcClient asOwner = JdbcClient.create(owner);

        assertThatThrownBy(() -> asOwner.sql("update audit_event set actor = 'x' where target_id = :t").param("t", target).update())
                .rootCause().hasMessageContaining("audit trail is append-only: UPDATE");
        assertThatThrownBy(() -> asOwner.sql("delete from audit_event where target_id = :t").param("t", target).update())
                .rootCause().hasMessageContaining("audit trail is append-only: DELETE");
        assertThatThrownBy(() -> asOwner.sql("truncate audit_event").update())
                .rootCause().hasMessageContaining("audit trail is append-only: TRUNCATE");
        assertThat(audit.about("probe", target)).hasSize(1);
    }
}
