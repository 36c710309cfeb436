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
    @Autowired
    AuditRetention retention;

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

    /** An event recorded {@code daysAgo} days ago, about {@code target}; its id. */
    private long recorded(String action, String target, int daysAgo) {
        return jdbc.sql("""
                        insert into audit_event (occurred_at, actor, action, target_type, target_id, detail)
                        values (now() - make_interval(days => :days), 'sign-in', :action, 'probe', :target, '{"address": "192.0.2.7"}') returning id""")
                .param("days", daysAgo).param("action", action).param("target", target).query(Long.class).single();
    }

    @Test
    void signInRecordsGoAfterTheirRetentionAndNothingElseDoes() {
        String target = "retention-" + UUID.randomUUID();
        long oldSignIn = recorded("UPSTREAM_SIGN_IN", target, 400);
        long oldRefusal = recorded("UPSTREAM_SIGN_IN_REFUSED", target, 366);
        long oldFailure = recorded("SIGN_IN_FAILED", target, 500);
        // a pupil's sign-ins with a sign-in card are sign-in records too
        long oldCardSignIn = recorded("CARD_SIGN_IN", target, 400);
        long oldCardFailure = recorded("CARD_SIGN_IN_FAILED", target, 400);
        // and an administrator's password refused because the account signs in through its organiser's provider
        long oldLocalRefusal = recorded("ADMIN_LOCAL_SIGN_IN_REFUSED", target, 400);
        long recentSignIn = recorded("UPSTREAM_SIGN_IN", target, 300);
        long recentCardSignIn = recorded("CARD_SIGN_IN", target, 300);
        long oldAdministration = recorded("ADMIN_ACCOUNT_CREATED", target, 900);
        long oldLook = recorded("VIEW_PROTECTED_PERSON", target, 900);
        long oldCardMade = recorded("SIGN_IN_CARD_MADE", target, 900);

        assertThat(retention.removeExpiredSignIns()).isGreaterThanOrEqualTo(5);
        assertThat(jdbc.sql("select id from audit_event where target_id = :t order by id").param("t", target).query(Long.class).list())
                .containsExactly(recentSignIn, recentCardSignIn, oldAdministration, oldLook, oldCardMade)
                .doesNotContain(oldSignIn, oldRefusal, oldFailure, oldCardSignIn, oldCardFailure, oldLocalRefusal);
        // the removal is in the trail itself
        assertThat(jdbc.sql("select (detail ->> 'removed')::bigint from audit_event where action = 'AUDIT_SIGN_INS_REMOVED' order by id desc limit 1")
                .query(Long.class).single()).isGreaterThanOrEqualTo(5);
        assertThat(retention.removeExpiredSignIns()).as("nothing left to remove").isZero();
    }

    @Test
    void noRoleRemovesARecentSignInOrAnythingButSignIns() {
        String target = "retention-guard-" + UUID.randomUUID();
        long recentSignIn = recorded("UPSTREAM_SIGN_IN", target, 10);
        long oldAdministration = recorded("ADMIN_RIGHT_GRANTED", target, 900);
        long expiredSignIn = recorded("UPSTREAM_SIGN_IN", target, 800);
        JdbcClient asOwner = JdbcClient.create(owner);
        // the application may only call the removal, which takes no cut-off; directly it removes nothing at all
        assertThatThrownBy(() -> jdbc.sql("delete from audit_event where id = :id").param("id", expiredSignIn).update())
                .rootCause().hasMessageContaining("permission denied");
        assertThatThrownBy(() -> jdbc.sql("select value from audit_setting").query(String.class).list()).rootCause().hasMessageContaining("permission denied");
        // the trigger lets even the owner remove only an expired sign-in record
        assertThatThrownBy(() -> asOwner.sql("delete from audit_event where id = :id").param("id", recentSignIn).update())
                .rootCause().hasMessageContaining("audit trail is append-only: DELETE");
        assertThatThrownBy(() -> asOwner.sql("delete from audit_event where id = :id").param("id", oldAdministration).update())
                .rootCause().hasMessageContaining("audit trail is append-only: DELETE");
        assertThat(asOwner.sql("delete from audit_event where id = :id").param("id", expiredSignIn).update()).isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from audit_event where target_id = :t").param("t", target).query(Long.class).single()).isEqualTo(2);
    }
}
