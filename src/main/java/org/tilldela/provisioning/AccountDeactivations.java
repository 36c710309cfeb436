package org.tilldela.provisioning;

import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.tilldela.ledger.DeactivatedAccounts;

/**
 * The per-person report's deactivations, from the accounts Tilldela made at suppliers: per supplier and product a
 * connector serves, the moment the person's account there went inactive — only where no account of theirs serving
 * that product is still active (a connector serving two products keeps the account while either licence lasts).
 * A deleted account is no longer here: the report says "deleted, confirmed on …" instead.
 */
@Component
class AccountDeactivations implements DeactivatedAccounts {

    private final JdbcClient jdbc;

    AccountDeactivations(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<Deactivation> of(UUID personId) {
        return jdbc.sql("""
                        select c.supplier_id, cp.product_id, max(a.deactivated_at)
                        from provisioned_account a
                        join provisioning_connector c on c.id = a.connector_id
                        join provisioning_connector_product cp on cp.connector_id = a.connector_id
                        where a.person_id = :p
                        group by c.supplier_id, cp.product_id
                        having bool_and(not a.active) and max(a.deactivated_at) is not null
                        """)
                .param("p", personId)
                .query((rs, n) -> new Deactivation(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getTimestamp(3).toInstant())).list();
    }
}
