package org.tilldela.provisioning;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * How a connector's queue stands, for the administrator's connector pages: what waits to be sent, what a worker
 * is sending now, what waits for another attempt (and when), and what the deletion brake holds. Read only; the
 * queue's rules live in {@link Queue} and {@link DeletionBrake} — the conditions here repeat theirs only to sort
 * the waiting operations into those heaps.
 */
@Service
public class ConnectorQueues {

    private final JdbcClient jdbc;

    ConnectorQueues(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * @param pending     waiting to be sent for the first time
     * @param inFlight    claimed by a worker, being sent now
     * @param retrying    failed at least once (or put back while the supplier asked us to wait), waiting for the next attempt
     * @param nextAttempt when the earliest of those is tried again (null: none waits)
     * @param held        deactivations and deletions the deletion brake holds
     */
    public record Summary(long pending, long inFlight, long retrying, Instant nextAttempt, long held) {
        public static final Summary EMPTY = new Summary(0, 0, 0, null, 0);

        public long total() {
            return pending + inFlight + retrying + held;
        }
    }

    /** One operation in the queue, as the connector page lists it. */
    public enum Standing { PENDING, IN_FLIGHT, RETRYING, HELD }

    /**
     * @param kind      SYNC (create or update), DEACTIVATE or DELETE
     * @param cause     what queued it (LICENCE_GRANTED, PERSON_LEFT, RETENTION_ENDED, …)
     * @param notBefore not tried before then
     * @param lastError the last failed attempt's reason (null: none failed)
     */
    public record Waiting(long id, UUID personId, String kind, String cause, Standing standing, int attempts, Instant queuedAt, Instant notBefore,
                          String lastError) {
    }

    // held: as DeletionBrake and Queue.claim decide it; retrying: tried before, or not due yet (put back under a supplier's Retry-After)
    private static final String STANDING = """
            case when o.state = 'IN_FLIGHT' then 'IN_FLIGHT'
                 when o.kind in ('DEACTIVATE', 'DELETE') and c.brake_held_at is not null and o.id > c.brake_released_through then 'HELD'
                 when o.attempts > 0 or o.not_before > now() then 'RETRYING'
                 else 'PENDING' end""";

    /** Every connector's queue (connectors with nothing queued are left out). */
    @Transactional(readOnly = true)
    public Map<UUID, Summary> summaries() {
        return summaries(null).stream().collect(Collectors.toMap(Keyed::connector, Keyed::summary));
    }

    /** One connector's queue. */
    @Transactional(readOnly = true)
    public Summary of(UUID connector) {
        return summaries(connector).stream().findFirst().map(Keyed::summary).orElse(Summary.EMPTY);
    }

    private record Keyed(UUID connector, Summary summary) {
    }

    private List<Keyed> summaries(UUID only) {
        return jdbc.sql("""
                        select connector_id,
                               count(*) filter (where standing = 'PENDING') pending,
                               count(*) filter (where standing = 'IN_FLIGHT') in_flight,
                               count(*) filter (where standing = 'RETRYING') retrying,
                               min(not_before) filter (where standing = 'RETRYING') next_attempt,
                               count(*) filter (where standing = 'HELD') held
                        from (select o.connector_id, o.not_before, %s standing
                              from provisioning_operation o join provisioning_connector c on c.id = o.connector_id
                              where o.state in ('PENDING', 'IN_FLIGHT') and (cast(:only as uuid) is null or o.connector_id = :only)) q
                        group by connector_id
                        """.formatted(STANDING))
                .param("only", only)
                .query((rs, n) -> new Keyed(rs.getObject(1, UUID.class), new Summary(rs.getLong(2), rs.getLong(3), rs.getLong(4),
                        instant(rs.getTimestamp(5)), rs.getLong(6))))
                .list();
    }

    /** The first {@code limit} operations waiting at this connector, in the order they were queued. */
    @Transactional(readOnly = true)
    public List<Waiting> waiting(UUID connector, int limit) {
        return jdbc.sql("""
                        select o.id, o.person_id, o.kind, o.cause, %s standing, o.attempts, o.created_at, o.not_before, o.last_error
                        from provisioning_operation o join provisioning_connector c on c.id = o.connector_id
                        where o.connector_id = :c and o.state in ('PENDING', 'IN_FLIGHT')
                        order by o.id limit :limit
                        """.formatted(STANDING))
                .param("c", connector).param("limit", limit)
                .query((rs, n) -> new Waiting(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                        Standing.valueOf(rs.getString(5)), rs.getInt(6), instant(rs.getTimestamp(7)), instant(rs.getTimestamp(8)), rs.getString(9)))
                .list();
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
