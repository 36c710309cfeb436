package org.tilldela.provisioning;

import com.unboundid.scim2.common.exceptions.ScimException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * A step that talks to a supplier while other nodes' workers must wait for the same shared object, with no
 * database transaction open while the supplier answers: a session-level advisory lock (keyed by
 * {@code hashtextextended(key, 0)}) on a connection of its own, in autocommit, so a slow supplier pins neither a
 * transaction nor row locks. A node that dies releases the lock with its connection.
 */
@Component
class SessionLocks {

    /** What runs under the lock. */
    interface Step {
        void run() throws ScimException;
    }

    private final DataSource dataSource;

    SessionLocks(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Runs the step holding the lock. The step's own statements run on the lock's connection too (autocommit: each
     * commits by itself; a {@code @Transactional} call inside begins and ends its own transaction on it), so a busy
     * pool cannot leave lock holders waiting for a second connection that only another lock holder could free.
     */
    void run(String key, Step step) throws ScimException {
        run(List.of(key), step);
    }

    /**
     * {@link #run(String, Step)} holding several locks at once, taken in the order of their keys (so two callers with
     * overlapping sets cannot wait for each other in a circle). If a lock cannot be taken or given back (a cancelled
     * statement, a broken connection), every lock of the connection is let go before it returns to the pool — a
     * pooled connection still holding one would make every later caller wait for that key for ever — and a
     * connection that cannot even do that is closed for good.
     */
    void run(Collection<String> keys, Step step) throws ScimException {
        List<String> ordered = keys.stream().distinct().sorted().toList();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            boolean released = false;
            try {
                try (PreparedStatement lock = c.prepareStatement("select pg_advisory_lock(hashtextextended(?, 0))")) {
                    for (String key : ordered) {
                        lock.setString(1, key);
                        lock.execute();
                    }
                }
                boolean bound = !TransactionSynchronizationManager.hasResource(dataSource);
                if (bound) {
                    TransactionSynchronizationManager.bindResource(dataSource, new ConnectionHolder(c));
                }
                try {
                    step.run();
                } finally {
                    if (bound) {
                        TransactionSynchronizationManager.unbindResource(dataSource);
                    }
                    try (PreparedStatement unlock = c.prepareStatement("select pg_advisory_unlock(hashtextextended(?, 0))")) {
                        for (String key : ordered) {
                            unlock.setString(1, key);
                            unlock.execute();
                        }
                    }
                    released = true;
                }
            } finally {
                if (!released) {
                    letGoOfAll(c);
                }
            }
        } catch (SQLException e) {
            throw new DataAccessResourceFailureException("the lock could not be taken or given back", e);
        }
    }

    private static void letGoOfAll(Connection c) {
        try (PreparedStatement all = c.prepareStatement("select pg_advisory_unlock_all()")) {
            all.execute();
        } catch (SQLException | RuntimeException e) {
            try {
                c.abort(Runnable::run); // the pool finds it closed and makes a new one; the server ends its session and its locks
            } catch (SQLException | RuntimeException ignored) {
                // nothing more can be done from here: the server ends the session's locks when its connection goes
            }
        }
    }
}
