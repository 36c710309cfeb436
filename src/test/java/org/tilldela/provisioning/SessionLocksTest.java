package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchException;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.tilldela.IntegrationTest;

/**
 * The session-level advisory locks around a supplier call: taken in key order and always given back — also when one
 * of several cannot be taken, so a pooled connection never goes back to the pool holding a lock that would make every
 * later worker wait for that key for ever.
 */
class SessionLocksTest extends IntegrationTest {

    @Autowired DataSource dataSource;

    @Test
    void aLockThatCannotBeTakenLeavesNoneHeldOnThePooledConnection() throws Exception {
        HikariDataSource app = dataSource.unwrap(HikariDataSource.class);
        // one pooled connection, so the connection the failed run used is the one examined afterwards; lock waits end soon
        try (HikariDataSource pool = new HikariDataSource()) {
            pool.setJdbcUrl(app.getJdbcUrl());
            pool.setUsername(app.getUsername());
            pool.setPassword(app.getPassword());
            pool.setMaximumPoolSize(1);
            pool.setConnectionInitSql("set lock_timeout = '300ms'");
            SessionLocks locks = new SessionLocks(pool);
            String first = "test-lock-a:" + UUID.randomUUID();
            String second = "test-lock-b:" + UUID.randomUUID(); // sorts after the first: taken second
            try (Connection other = app.getConnection(); Statement s = other.createStatement()) {
                other.setAutoCommit(true);
                s.execute("select pg_advisory_lock(hashtextextended('" + second + "', 0))"); // held elsewhere
                AtomicBoolean ran = new AtomicBoolean();
                Exception e = catchException(() -> locks.run(List.of(second, first), () -> ran.set(true)));
                assertThat(e).as("the second lock timed out").isNotNull();
                assertThat(ran).isFalse();
                try (Connection pooled = pool.getConnection(); Statement q = pooled.createStatement();
                     ResultSet held = q.executeQuery("select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()")) {
                    held.next();
                    assertThat(held.getInt(1)).as("advisory locks still held by the pooled connection").isZero();
                }
                s.execute("select pg_advisory_unlock(hashtextextended('" + second + "', 0))");
            }
            // and the normal path: both taken, the step runs on the lock's connection, both given back
            AtomicBoolean ran = new AtomicBoolean();
            locks.run(List.of(second, first), () -> ran.set(true));
            assertThat(ran).isTrue();
            try (Connection pooled = pool.getConnection(); Statement q = pooled.createStatement();
                 ResultSet held = q.executeQuery("select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()")) {
                held.next();
                assertThat(held.getInt(1)).isZero();
            }
        }
    }
}
