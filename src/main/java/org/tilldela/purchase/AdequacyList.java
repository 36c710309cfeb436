package org.tilldela.purchase;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.governance.AuditTrail;

/** The list of countries personal data may go to, kept by the data protection officer; every change audited. */
@Service
@Transactional
public class AdequacyList {

    private final JdbcClient jdbc;
    private final AuditTrail audit;

    AdequacyList(JdbcClient jdbc, AuditTrail audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    private static final String SELECT = """
            select country, name, basis, decision, decision_date, valid_from, valid_until, note, updated_by, updated_at from adequacy_country
            """;

    /** EU/EEA first, then third countries, each by name. */
    @Transactional(readOnly = true)
    public List<AdequacyEntry> all() {
        return jdbc.sql(SELECT + " order by basis desc, name").query(AdequacyList::entry).list();
    }

    @Transactional(readOnly = true)
    public Optional<AdequacyEntry> entry(String country) {
        return jdbc.sql(SELECT + " where country = :c").param("c", country.toUpperCase(java.util.Locale.ROOT)).query(AdequacyList::entry).optional();
    }

    /** Adds or replaces the entry of its country. */
    public void save(AdequacyEntry e, String actor) {
        Optional<AdequacyEntry> before = entry(e.country());
        jdbc.sql("""
                        insert into adequacy_country (country, name, basis, decision, decision_date, valid_from, valid_until, note, updated_by, updated_at)
                        values (:c, :n, :b, :d, :dd, :from, :until, :note, :by, now())
                        on conflict (country) do update set name = excluded.name, basis = excluded.basis, decision = excluded.decision,
                            decision_date = excluded.decision_date, valid_from = excluded.valid_from, valid_until = excluded.valid_until,
                            note = excluded.note, updated_by = excluded.updated_by, updated_at = now()
                        """)
                .param("c", e.country()).param("n", e.name().strip()).param("b", e.basis().name()).param("d", e.decision().strip())
                .param("dd", e.decisionDate()).param("from", e.validFrom()).param("until", e.validUntil())
                .param("note", e.note() == null || e.note().isBlank() ? null : e.note().strip()).param("by", actor).update();
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("basis", e.basis().name());
        detail.put("decision", e.decision());
        detail.put("validFrom", e.validFrom().toString());
        detail.put("validUntil", e.validUntil() == null ? "" : e.validUntil().toString());
        detail.put("new", before.isEmpty());
        audit.record(actor, "ADEQUACY_ENTRY_SAVED", "adequacy_country", e.country(), detail);
    }

    public void remove(String country, String actor) {
        if (jdbc.sql("delete from adequacy_country where country = :c").param("c", country).update() > 0) {
            audit.record(actor, "ADEQUACY_ENTRY_REMOVED", "adequacy_country", country, Map.of());
        }
    }

    private static AdequacyEntry entry(ResultSet rs, int n) throws SQLException {
        return new AdequacyEntry(rs.getString("country"), rs.getString("name"), AdequacyEntry.Basis.valueOf(rs.getString("basis")),
                rs.getString("decision"), rs.getObject("decision_date", java.time.LocalDate.class), rs.getObject("valid_from", java.time.LocalDate.class),
                rs.getObject("valid_until", java.time.LocalDate.class), rs.getString("note"), rs.getString("updated_by"),
                rs.getTimestamp("updated_at").toInstant());
    }
}
