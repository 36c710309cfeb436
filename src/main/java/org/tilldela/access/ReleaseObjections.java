package org.tilldela.access;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.Rosters;
import org.tilldela.governance.AuditTrail;
import org.tilldela.platform.OneRoundTrip;

/** Objections (opt-outs) recorded for a person: the release policy releases nothing to the suppliers they name. */
@Service
public class ReleaseObjections {

    private final JdbcClient jdbc;
    private final AuditTrail audit;
    private final Rosters rosters;
    private final Catalog catalog;
    private final ApplicationEventPublisher events;

    ReleaseObjections(JdbcClient jdbc, AuditTrail audit, Rosters rosters, Catalog catalog, ApplicationEventPublisher events) {
        this.events = events;
        this.jdbc = jdbc;
        this.audit = audit;
        this.rosters = rosters;
        this.catalog = catalog;
    }

    /** @param supplierId null: towards every supplier */
    public record Objection(UUID id, UUID personId, UUID supplierId, String reason, String recordedBy, Instant recordedAt) {
        public boolean covers(UUID supplier) {
            return supplierId == null || supplierId.equals(supplier);
        }
    }

    @Transactional
    public UUID record(UUID personId, UUID supplierId, String reason, String actor) {
        if (reason == null || reason.isBlank()) {
            throw new DataAccessRefused("Say on what grounds the objection is recorded.");
        }
        // an objection for nobody would stand in the register and in the audit trail as if it protected someone
        if (personId == null || !rosters.absent(List.of(personId)).isEmpty()) {
            throw new NoSuchRecord("No person with id " + personId + " in the directory.");
        }
        if (supplierId != null && catalog.supplier(supplierId).isEmpty()) {
            throw new NoSuchRecord("No supplier with id " + supplierId + " in the catalogue.");
        }
        UUID id = UUID.randomUUID();
        jdbc.sql("insert into release_objection (id, person_id, supplier_id, recorded_by, reason) values (:id, :p, :s, :a, :r)")
                .param("id", id).param("p", personId).param("s", supplierId).param("a", actor).param("r", reason.strip()).update();
        audit.record(actor, "RELEASE_OBJECTION_RECORDED", "person", personId.toString(),
                Map.of("supplier", supplierId == null ? "all" : supplierId.toString()));
        events.publishEvent(new ObjectionChanged(personId, supplierId, true));
        return id;
    }

    @Transactional
    public void withdraw(UUID objectionId, String actor) {
        ObjectionChanged withdrawn = jdbc.sql("""
                        update release_objection set withdrawn_at = now(), withdrawn_by = :a where id = :id and withdrawn_at is null
                        returning person_id, supplier_id""")
                .param("a", actor).param("id", objectionId)
                .query((rs, n) -> new ObjectionChanged(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), false)).optional()
                .orElseThrow(() -> new DataAccessRefused("No objection in force with id " + objectionId + "."));
        audit.record(actor, "RELEASE_OBJECTION_WITHDRAWN", "person", withdrawn.personId().toString(), Map.of("objection", objectionId.toString()));
        events.publishEvent(withdrawn);
    }

    /** The persons among these with an objection in force towards this supplier (or every supplier). */
    public java.util.Set<UUID> objecting(java.util.Collection<UUID> personIds, UUID supplierId) {
        if (personIds.isEmpty()) {
            return java.util.Set.of();
        }
        return new java.util.HashSet<>(jdbc.sql("""
                        select distinct person_id from release_objection
                        where person_id = any(:p) and withdrawn_at is null and (supplier_id is null or supplier_id = :s)
                        """).param("p", personIds.toArray(UUID[]::new)).param("s", supplierId).query(UUID.class).list());
    }

    /**
     * {@link #objecting} for one person ({@code :person}) and the product {@code :product}'s supplier, as a read to
     * compose into one round trip ({@link OneRoundTrip}).
     */
    static final OneRoundTrip.Read<Boolean> OBJECTS = OneRoundTrip.Read.of("""
            select exists (select 1 from release_objection
                           where person_id = :person and withdrawn_at is null and (supplier_id is null or supplier_id = %s))"""
            .formatted(Catalog.SUPPLIER_ID_OF_PRODUCT), rs -> rs.next() && rs.getBoolean(1));

    public List<Objection> inForce(UUID personId) {
        return jdbc.sql("select id, person_id, supplier_id, reason, recorded_by, recorded_at from release_objection where person_id = :p and withdrawn_at is null order by recorded_at")
                .param("p", personId)
                .query((rs, n) -> new Objection(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class),
                        rs.getString(4), rs.getString(5), rs.getTimestamp(6).toInstant())).list();
    }
}
