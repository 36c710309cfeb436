package org.tilldela.ledger;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Retention of what recipients hold: when a relation ends (a licence ended, the person left) each
 * affected holding gets its deadline, ended-on plus the retention days of its latest release. When
 * the deadline has passed, a deletion request is due; provisioning sends it and reports back here.
 */
@Service
@Transactional
public class Retention {

    private final JdbcClient jdbc;

    Retention(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The relation between the person and these products' recipients ended that day (all products when
     * {@code productId} is null). An earlier end stays; confirmed deletions are left alone. Returns the
     * holdings affected.
     */
    public int relationEnded(UUID personId, UUID productId, LocalDate endedOn) {
        return relationsEnded(List.of(personId), productId, endedOn);
    }

    /** {@link #relationEnded} for many persons at once (a leavers' import). */
    public int relationsEnded(Collection<UUID> personIds, UUID productId, LocalDate endedOn) {
        if (personIds.isEmpty()) {
            return 0;
        }
        // rows locked in key order first, as appenders lock them, so the two never wait on each other in a circle
        return jdbc.sql("""
                        with locked as (
                            select person_id, supplier_id, product_id from holding
                            where person_id = any(:persons) and (cast(:product as uuid) is null or product_id = :product)
                              and deletion_state is distinct from 'CONFIRMED'
                            order by person_id, supplier_id, product_id for update
                        )
                        update holding h set ended_on = least(h.ended_on, cast(:ended as date)),
                                             retain_until = least(h.ended_on, cast(:ended as date)) + h.retention_days
                        from locked l
                        where h.person_id = l.person_id and h.supplier_id = l.supplier_id and h.product_id = l.product_id
                        """)
                .param("ended", endedOn).param("persons", personIds.toArray(UUID[]::new)).param("product", productId).update();
    }

    /** Deletion requests due on {@code today}: the deadline has passed and none was sent yet. Oldest deadline first. */
    @Transactional(readOnly = true)
    public List<DeletionDue> deletionsDue(LocalDate today) {
        return jdbc.sql(SELECT + " where retain_until < :today and deletion_state is null order by retain_until, person_id")
                .param("today", today).query((rs, n) -> due(rs, today)).list();
    }

    /** What is overdue on {@code today}: due, or requested and not confirmed. Oldest deadline first, at most {@code limit}. */
    @Transactional(readOnly = true)
    public List<DeletionDue> overdue(LocalDate today, int limit) {
        return jdbc.sql(SELECT + " where retain_until < :today and deletion_state is distinct from 'CONFIRMED' order by retain_until, person_id limit :limit")
                .param("today", today).param("limit", limit).query((rs, n) -> due(rs, today)).list();
    }

    /** How many deletions are overdue on {@code today}. */
    @Transactional(readOnly = true)
    public long overdueCount(LocalDate today) {
        return jdbc.sql("select count(*) from holding where retain_until < :today and deletion_state is distinct from 'CONFIRMED'")
                .param("today", today).query(Long.class).single();
    }

    /** Provisioning sent the deletion request. Returns whether such a holding exists (and was not already confirmed). */
    public boolean deletionRequested(UUID personId, UUID supplierId, UUID productId, Instant at) {
        return jdbc.sql("""
                        update holding set deletion_state = 'REQUESTED', deletion_requested_at = :at
                        where person_id = :person and supplier_id = :supplier and product_id = :product and deletion_state is distinct from 'CONFIRMED'
                        """)
                .param("at", java.sql.Timestamp.from(at)).param("person", personId).param("supplier", supplierId).param("product", productId)
                .update() == 1;
    }

    /** The recipient confirmed it deleted what it held about the person. */
    public boolean deletionConfirmed(UUID personId, UUID supplierId, UUID productId, Instant at) {
        return jdbc.sql("""
                        update holding set deletion_state = 'CONFIRMED', deletion_confirmed_at = :at,
                                           deletion_requested_at = coalesce(deletion_requested_at, :at)
                        where person_id = :person and supplier_id = :supplier and product_id = :product
                        """)
                .param("at", java.sql.Timestamp.from(at)).param("person", personId).param("supplier", supplierId).param("product", productId)
                .update() == 1;
    }

    private static final String SELECT = "select person_id, supplier_id, product_id, attributes, ended_on, retain_until, deletion_state from holding";

    private static DeletionDue due(ResultSet rs, LocalDate today) throws SQLException {
        LocalDate until = rs.getObject("retain_until", LocalDate.class);
        return new DeletionDue(rs.getObject("person_id", UUID.class), rs.getObject("supplier_id", UUID.class), rs.getObject("product_id", UUID.class),
                List.of((String[]) rs.getArray("attributes").getArray()), rs.getObject("ended_on", LocalDate.class), until,
                ChronoUnit.DAYS.between(until, today), rs.getString("deletion_state") == null ? DeletionState.DUE : DeletionState.REQUESTED);
    }
}
