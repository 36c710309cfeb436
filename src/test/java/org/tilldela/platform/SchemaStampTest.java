package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.AbstractDataSource;
import org.tilldela.IntegrationTest;

/**
 * A start skips Flyway only where the database carries this release's stamp and the schema history the stamping migrate
 * left; anything else — another setting the callbacks write, other migrations, a history changed since — migrates.
 */
class SchemaStampTest extends IntegrationTest {

    @Autowired
    Flyway flyway;

    @Test
    void theStartThatMigratedStampedTheDatabaseWithThisReleasesStamp() {
        String stamp = SchemaStamp.of(flyway.getConfiguration()).orElseThrow();
        // the same settings loaded again give the same stamp (nothing in it is an object's identity)
        assertThat(SchemaStamp.of(Flyway.configure().configuration(flyway.getConfiguration()).load().getConfiguration())).contains(stamp);
        assertThat(stamp).matches("[0-9a-f]{64}");
        assertThat(SchemaStamp.stamped(owner(), flyway.getConfiguration(), stamp)).isTrue();
    }

    @Test
    void aStampedDatabaseIsNotMigratedAgainAndAChangedSettingMigratesAndStampsAnew() {
        List<Event> events = new ArrayList<>();
        SchemaStamp.migrateUnlessStamped(recording(flyway.getConfiguration().getPlaceholders(), events));
        assertThat(events).as("Flyway's events of a start on a stamped database").isEmpty();

        // another value for a setting an afterMigrate callback writes: Flyway runs (its callbacks write it), and stamps it
        Map<String, String> changed = new HashMap<>(flyway.getConfiguration().getPlaceholders());
        changed.put("ledgerRetentionYears", "11");
        String before = SchemaStamp.of(flyway.getConfiguration()).orElseThrow();
        String after = SchemaStamp.of(recording(changed, events).getConfiguration()).orElseThrow();
        assertThat(after).isNotEqualTo(before);
        try {
            SchemaStamp.migrateUnlessStamped(recording(changed, events));
            assertThat(events).contains(Event.BEFORE_VALIDATE, Event.AFTER_MIGRATE);
            assertThat(retentionYears()).isEqualTo("11");
            assertThat(SchemaStamp.stamped(owner(), flyway.getConfiguration(), after)).isTrue();
            assertThat(SchemaStamp.stamped(owner(), flyway.getConfiguration(), before)).isFalse();
        } finally {
            // the suite's own settings back, and their stamp
            events.clear();
            SchemaStamp.migrateUnlessStamped(recording(flyway.getConfiguration().getPlaceholders(), events));
            assertThat(events).contains(Event.AFTER_MIGRATE);
        }
        assertThat(SchemaStamp.stamped(owner(), flyway.getConfiguration(), before)).isTrue();
        assertThat(retentionYears())
                .isEqualTo(flyway.getConfiguration().getPlaceholders().get("ledgerRetentionYears"));
    }

    @Test
    void aHistoryChangedSinceTheStampIsNotTakenAsStamped() throws Exception {
        String stamp = SchemaStamp.of(flyway.getConfiguration()).orElseThrow();
        try (Connection c = sharedDatabase().connect(EmbeddedDatabase.OWNER)) {
            c.setAutoCommit(false);
            // as another release's migration that failed would leave it (seen only inside this transaction, then undone)
            c.createStatement().executeUpdate("""
                    insert into flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
                    select max(installed_rank) + 1, '9999.1', 'another release', 'SQL', 'V9999.1__another_release.sql', 1, current_user, 0, false
                    from flyway_schema_history""");
            assertThat(SchemaStamp.stamped(inTransaction(c), flyway.getConfiguration(), stamp)).isFalse();
            c.rollback();
            assertThat(SchemaStamp.stamped(inTransaction(c), flyway.getConfiguration(), stamp)).isTrue();
        }
    }

    @Test
    void theStampInATableMadeAnewAsARestoreMakesItIsNotTakenAsStamped() throws Exception {
        String stamp = SchemaStamp.of(flyway.getConfiguration()).orElseThrow();
        try (Connection c = sharedDatabase().connect(EmbeddedDatabase.OWNER)) {
            c.setAutoCommit(false);
            // the same row in a table of the same name made anew (pg_restore, a restore into another database)
            try (Statement s = c.createStatement()) {
                s.execute("alter table schema_stamp rename to schema_stamp_before");
                s.execute("create table schema_stamp (like schema_stamp_before including all)");
                s.execute("insert into schema_stamp select * from schema_stamp_before");
            }
            assertThat(SchemaStamp.stamped(inTransaction(c), flyway.getConfiguration(), stamp)).isFalse();
            c.rollback();
            assertThat(SchemaStamp.stamped(inTransaction(c), flyway.getConfiguration(), stamp)).isTrue();
        }
    }

    @Test
    void migrationsFromElsewhereAreNotStamped() {
        var withOneMore = Flyway.configure().configuration(flyway.getConfiguration()).locations("classpath:db/migration", "classpath:db/pending-test")
                .load().getConfiguration();
        assertThat(SchemaStamp.of(withOneMore)).isEmpty();
        assertThat(SchemaStamp.stamped(owner(), flyway.getConfiguration(), "0".repeat(64))).isFalse();
    }

    private Flyway recording(Map<String, String> placeholders, List<Event> events) {
        Callback recorder = new Callback() {
            @Override
            public boolean supports(Event event, Context context) {
                return true;
            }

            @Override
            public boolean canHandleInTransaction(Event event, Context context) {
                return true;
            }

            @Override
            public void handle(Event event, Context context) {
                events.add(event);
            }

            @Override
            public String getCallbackName() {
                return "recorder";
            }
        };
        var configuration = Flyway.configure().configuration(flyway.getConfiguration()).placeholders(placeholders);
        List<Callback> callbacks = new ArrayList<>(List.of(flyway.getConfiguration().getCallbacks()));
        callbacks.add(recorder);
        return configuration.callbacks(callbacks.toArray(Callback[]::new)).load();
    }

    /** Owner-only: the application's role may not read it. */
    private String retentionYears() {
        return JdbcClient.create(owner()).sql("select value from ledger_setting where name = 'retention_years'").query(String.class).single();
    }

    private DataSource owner() {
        return flyway.getConfiguration().getDataSource();
    }

    /** The one connection, not closed by its users. */
    private static DataSource inTransaction(Connection connection) {
        Connection unclosed = (Connection) Proxy.newProxyInstance(SchemaStampTest.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return new AbstractDataSource() {
            @Override
            public Connection getConnection() {
                return unclosed;
            }

            @Override
            public Connection getConnection(String username, String password) {
                return unclosed;
            }

            @Override
            public PrintWriter getLogWriter() {
                return null;
            }
        };
    }
}
