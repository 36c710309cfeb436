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
 * an administrator looks at them and replays one or all once the cause is fixed (a replay is a new operation made
 * from the person's state today; audited).
 */
@Service
public class DeadLetters {

    private final JdbcClient jdbc;
    private final AuditTrail audit;
    private final DeletionBrake brake;

    DeadLetters(JdbcClient jdbc, AuditTrail audit, DeletionBrake brake) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.brake = brake;
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

    /** Replays one dead letter (a new operation, see {@link #replayed}); false when there is no such dead letter at this connector. */
    @Transactional
    public boolean replay(UUID connector, long id, String actor) {
        List<Long> made = replayed(connector, id);
        if (!made.isEmpty()) {
            audit.record(actor, "PROVISIONING_DEAD_LETTER_REPLAYED", "provisioning_connector", connector.toString(),
                    Map.of("operation", id, "replacedBy", made.getFirst()));
        }
        return !made.isEmpty();
    }

    /** Replays every dead letter of the connector; answers how many. */
    @Transactional
    public int replayAll(UUID connector, String actor) {
        int n = replayed(connector, null).size();
        audit.record(actor, "PROVISIONING_DEAD_LETTERS_REPLAYED", "provisioning_connector", connector.toString(), Map.of("operations", n));
        return n;
    }

    /**
     * A dead letter is never sent again as it was: a NEW operation is appended, made from the person's state today — a
     * SYNC, which brings the account to what the release policy lets go now (so an old DEACTIVATE of a pupil who has come
     * back leaves them active, and one who is still gone is deactivated all the same); a DELETE stays a DELETE only while
     * the account is still inactive. Appended, it queues behind whatever of the person's came after the dead letter. The
     * dead letter becomes REPLAYED and names its replacement. Answers the new operations' ids.
     */
    private List<Long> replayed(UUID connector, Long only) {
        record Dead(long id, UUID person, String kind, UUID product) {
        }
        List<Dead> dead = jdbc.sql("""
                        select id, person_id, kind, product_id from provisioning_operation
                        where connector_id = :c and state = 'DEAD' and (cast(:id as bigint) is null or id = :id) order by id for update
                        """).param("c", connector).param("id", only)
                .query((rs, n) -> new Dead(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getObject(4, UUID.class))).list();
        List<Long> made = new java.util.ArrayList<>();
        boolean destructive = false;
        for (Dead d : dead) {
            boolean stillDue = d.kind().equals("DELETE") && jdbc.sql("""
                            select exists (select 1 from provisioned_account where connector_id = :c and person_id = :p and not active)""")
                    .param("c", connector).param("p", d.person()).query(Boolean.class).single();
            long id = jdbc.sql("""
                            insert into provisioning_operation (connector_id, person_id, kind, cause, product_id)
                            values (:c, :p, :kind, 'DEAD_LETTER_REPLAYED', :product) returning id""")
                    .param("c", connector).param("p", d.person()).param("kind", stillDue ? "DELETE" : "SYNC")
                    .param("product", stillDue ? d.product() : null).query(Long.class).single();
            jdbc.sql("update provisioning_operation set state = 'REPLAYED', replayed_by = :by, finished_at = now() where id = :id")
                    .param("by", id).param("id", d.id()).update();
            destructive |= stillDue;
            made.add(id);
        }
        if (destructive) {
            brake.check();
        }
        return made;
    }
}
