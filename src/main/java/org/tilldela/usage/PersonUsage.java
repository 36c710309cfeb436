package org.tilldela.usage;

import java.sql.Timestamp;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.tilldela.ledger.ReportedUsage;

/** Tells the ledger's per-person report what suppliers reported of the person's use, and their sign-ins through Tilldela, as still kept per person. */
@Component
class PersonUsage implements ReportedUsage {

    private final JdbcClient jdbc;

    PersonUsage(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<Usage> of(UUID personId) {
        return jdbc.sql("""
                        select supplier_id, product_id, min(day), max(day), count(*), greatest(max(last_active_at), max(last_sign_in_at)), sum(sign_ins)
                        from usage_day where person_id = :person group by supplier_id, product_id order by max(day) desc""")
                .param("person", personId)
                .query((rs, n) -> {
                    Timestamp last = rs.getTimestamp(6);
                    return new Usage(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, java.time.LocalDate.class),
                            rs.getObject(4, java.time.LocalDate.class), rs.getLong(5), last == null ? null : last.toInstant(), rs.getLong(7));
                }).list();
    }
}
