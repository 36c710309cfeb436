package org.tilldela.provisioning;

import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.tilldela.governance.AuditTrail;

/**
 * The deletion brake (raderingsspärr) per connector: when the deactivations and deletions waiting for a connector
 * come to more than its share (default 10%) of the accounts it holds there, the connector is held — none of them
 * is sent, while creates and updates go on — and an administrator decides: release (they go) or discard. EGIL's
 * reference client aborts on such thresholds too. Operations an administrator let through no longer count
 * ({@code brake_released_through}).
 */
@Component
class DeletionBrake {

    /** What a held connector does not send. */
    static final String DESTRUCTIVE = "('DEACTIVATE', 'DELETE')";

    private final JdbcClient jdbc;
    private final AuditTrail audit;
    private final int minimum;

    /**
     * @param minimum the fewest waiting deactivations and deletions that hold a connector: one pupil's licence withdrawn
     *                at a connector of five accounts is 20%, but no mass removal (tilldela.provisioning.deletion-brake-minimum)
     */
    DeletionBrake(JdbcClient jdbc, AuditTrail audit, @org.springframework.beans.factory.annotation.Value("${tilldela.provisioning.deletion-brake-minimum:2}") int minimum) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.minimum = Math.max(1, minimum);
    }

    /**
     * Takes the brake's lock until the transaction ends: what is queued under it and then {@link #check}ed is one step
     * to every other transaction (another node queueing the same deletions waits, and then sees them queued).
     */
    void lock() {
        jdbc.sql("select pg_advisory_xact_lock(hashtextextended('provisioning-deletion-brake', 0))").query().listOfRows();
    }

    /**
     * Holds every connector whose waiting deactivations and deletions are now over its share; in the transaction that
     * queued them, so a worker never sees them unheld. Audited (actor "system").
     *
     * <p>Two transactions queueing at once would each count only their own (the other's rows are not committed yet), and
     * two bursts just under the share would pass together. So the count is taken under a transaction-scoped advisory lock:
     * the second waits until the first commits, and its count (a new snapshot, READ COMMITTED) includes the first's.
     */
    void check() {
        record Held(UUID connector, long pending, long accounts) {
        }
        lock();
        jdbc.sql("""
                        with counts as (
                            select c.id,
                                   (select count(*) from provisioning_operation o where o.connector_id = c.id and o.kind in %s
                                      and o.state in ('PENDING', 'IN_FLIGHT') and o.id > c.brake_released_through) pending,
                                   -- the active accounts a deactivation waits for (a person once, however many wait)
                                   (select count(distinct o.person_id) from provisioning_operation o
                                      join provisioned_account a on a.connector_id = o.connector_id and a.person_id = o.person_id and a.active
                                    where o.connector_id = c.id and o.kind = 'DEACTIVATE'
                                      and o.state in ('PENDING', 'IN_FLIGHT') and o.id > c.brake_released_through) deactivations,
                                   (select count(*) from provisioned_account a where a.connector_id = c.id) accounts,
                                   (select count(*) from provisioned_account a where a.connector_id = c.id and a.active) active
                            from provisioning_connector c where c.brake_held_at is null
                        )
                        update provisioning_connector c set brake_held_at = now(), brake_held_pending = counts.pending
                        from counts where c.id = counts.id and counts.pending >= :minimum
                          -- deactivations as a share of the accounts still active (accounts deactivated long ago and kept
                          -- until their retention deadline do not dilute it); deactivations and deletions together as a
                          -- share of every account the connector knows
                          and (counts.deactivations * 100.0 > counts.active * c.deletion_brake_percent
                               or counts.pending * 100.0 > counts.accounts * c.deletion_brake_percent)
                        returning c.id, counts.pending, counts.accounts
                        """.formatted(DESTRUCTIVE)).param("minimum", minimum)
                .query((rs, n) -> new Held(rs.getObject(1, UUID.class), rs.getLong(2), rs.getLong(3))).list()
                .forEach(h -> audit.record("system", "PROVISIONING_DELETION_BRAKE_HELD", "provisioning_connector", h.connector().toString(),
                        Map.of("waiting", h.pending(), "accounts", h.accounts())));
    }

    /** The held operations go. False when the connector was not held. */
    boolean release(UUID connector, String actor) {
        Long through = letThrough(connector);
        if (through == null) {
            return false;
        }
        audit.record(actor, "PROVISIONING_DELETION_BRAKE_RELEASED", "provisioning_connector", connector.toString(), Map.of("through", through));
        return true;
    }

    /** The held operations are not sent (DISCARDED). Answers how many, or -1 when the connector was not held. */
    int discard(UUID connector, String actor) {
        Long through = letThrough(connector);
        if (through == null) {
            return -1;
        }
        int n = jdbc.sql("""
                        update provisioning_operation set state = 'DISCARDED', finished_at = now(), lease_until = null
                        where connector_id = :c and kind in %s and state = 'PENDING' and id <= :through
                        """.formatted(DESTRUCTIVE))
                .param("c", connector).param("through", through).update();
        audit.record(actor, "PROVISIONING_DELETION_BRAKE_DISCARDED", "provisioning_connector", connector.toString(), Map.of("discarded", n));
        return n;
    }

    /**
     * Lifts the hold: everything queued so far is let through. Answers the last such operation, null when not held. The
     * newest operation of any connector marks it: ids come from one sequence, so all this connector queued so far lies at
     * or below it, and it is the primary key's last entry — the connector's own newest would be read from all its
     * operations, done ones included (no index has them by connector).
     */
    private Long letThrough(UUID connector) {
        return jdbc.sql("""
                        update provisioning_connector c set brake_held_at = null, brake_held_pending = null,
                               brake_released_through = greatest(c.brake_released_through,
                                   coalesce((select max(o.id) from provisioning_operation o), 0))
                        where c.id = :c and c.brake_held_at is not null
                        returning c.brake_released_through
                        """).param("c", connector).query(Long.class).optional().orElse(null);
    }
}
