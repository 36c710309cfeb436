package org.tilldela.access;

import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.ledger.AgreementNames;

/** The ledger's reports name the agreements a release was made under from here: supplier, product and the days of its decisions. */
@Component
@Transactional(readOnly = true)
class LedgerAgreementNames implements AgreementNames {

    private final JdbcClient jdbc;

    LedgerAgreementNames(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Map<UUID, Agreement> of(Collection<UUID> ids) {
        Map<UUID, Agreement> found = new LinkedHashMap<>();
        if (ids.isEmpty()) {
            return found;
        }
        jdbc.sql("""
                        select a.id, a.supplier_id, a.product_id, a.filed_at,
                               (select max(s.at) from data_access_step s where s.agreement_id = a.id and s.kind = 'APPROVED') approved_at,
                               (select max(s.at) from data_access_step s where s.agreement_id = a.id and s.kind in ('REVOKED', 'SUPERSEDED')) ended_at
                        from data_access_agreement a where a.id = any(:ids)
                        """).param("ids", ids.stream().distinct().toArray(UUID[]::new))
                .query(rs -> {
                    UUID id = rs.getObject("id", UUID.class);
                    found.put(id, new Agreement(id, rs.getObject("supplier_id", UUID.class), rs.getObject("product_id", UUID.class),
                            day(rs.getTimestamp("filed_at")), day(rs.getTimestamp("approved_at")), day(rs.getTimestamp("ended_at"))));
                });
        return found;
    }

    private static LocalDate day(Timestamp at) {
        return at == null ? null : LocalDate.ofInstant(at.toInstant(), ZoneId.systemDefault());
    }
}
