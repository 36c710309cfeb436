package org.tilldela.provisioning;

import com.unboundid.scim2.common.exceptions.ScimException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
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
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (PreparedStatement lock = c.prepareStatement("select pg_advisory_lock(hashtextextended(?, 0))")) {
                lock.setString(1, key);
                lock.execute();
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
                    unlock.setString(1, key);
                    unlock.execute();
                }
            }
        } catch (SQLException e) {
            throw new DataAccessResourceFailureException("the lock could not be taken or given back", e);
        }
    }
}
