package org.tilldela.provisioning;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.governance.AuditTrail;

/**
 * Operations that failed every attempt, or that a supplier refused for good, with the supplier's own words;
 * an administrator looks at them and replays one or all once the cause is fixed (a replay starts the attempts
 * afresh; audited).
 */
@Service
public class DeadLetters {

    private final JdbcClient jdbc;
    private final AuditTrail audit;

    DeadLetters(JdbcClient jdbc, AuditTrail audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    /**
     * @param kind   SYNC (create or update the account as the release policy allows today) or DEACTIVATE
     * @param cause  what queued it: LICENCE_GRANTED, LICENCE_ENDED, PERSON_MOVED, PERSON_LEFT, CONNECTOR_CREATED, …
     * @param reason the last failure: the supplier's HTTP status and error text, or what went wrong on the way
     */
    public record DeadLetter(long id, UUID connectorId, UUID personId, String kind, String cause, int attempts, String reason, Instant queuedAt,
                             Instant diedAt) {
    }

    @Transactional(readOnly = true)
    public List<DeadLetter> of(UUID connector, int limit) {
        return jdbc.sql("""
                        select id, connector_id, person_id, kind, cause, attempts, last_error, created_at, finished_at from provisioning_operation
                        where connector_id = :c and state = 'DEAD' order by id limit :limit
                        """).param("c", connector).param("limit", limit)
                .query((rs, n) -> new DeadLetter(rs.getLong(1), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class), rs.getString(4), rs.getString(5),
                        rs.getInt(6), rs.getString(7), rs.getTimestamp(8).toInstant(), rs.getTimestamp(9).toInstant())).list();
    }

    /** Queues one dead letter again; false when there is no such dead letter at this connector. */
    @Transactional
    public boolean replay(UUID connector, long id, String actor) {
        int n = jdbc.sql(REPLAY + " and id = :id").param("c", connector).param("id", id).update();
        if (n > 0) {
            audit.record(actor, "PROVISIONING_DEAD_LETTER_REPLAYED", "provisioning_connector", connector.toString(), Map.of("operation", id));
        }
        return n > 0;
    }

    /** Queues every dead letter of the connector again; answers how many. */
    @Transactional
    public int replayAll(UUID connector, String actor) {
        int n = jdbc.sql(REPLAY).param("c", connector).update();
        audit.record(actor, "PROVISIONING_DEAD_LETTERS_REPLAYED", "provisioning_connector", connector.toString(), Map.of("operations", n));
        return n;
    }

    // in place, keeping its id: the person's later operations (made after it) stay behind it, as they were
    private static final String REPLAY = """
            update provisioning_operation set state = 'PENDING', attempts = 0, not_before = now(), finished_at = null, lease_until = null
            where connector_id = :c and state = 'DEAD'""";
}
