package org.tilldela.usage;

import java.sql.Timestamp;
import java.time.ZoneId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.tilldela.sso.SignedInToProduct;

/**
 * Sign-ins through Tilldela's own SSO as usage: one more on the person's day of the product. Counted as it
 * happens, in the sign-in's request (one statement): the count is a figure for utilisation, not a record
 * the sign-in depends on, so a failure to count is logged (without the person) and the sign-in goes on.
 * A supplier's report of the same day leaves these columns alone (UsageReports writes only its own).
 */
@Component
class SignInUsage {

    private static final Logger log = LoggerFactory.getLogger(SignInUsage.class);

    private final JdbcClient jdbc;

    SignInUsage(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @EventListener
    void signedIn(SignedInToProduct signIn) {
        try {
            jdbc.sql("""
                            insert into usage_day (product_id, person_id, day, supplier_id, sign_ins, last_sign_in_at, reported_at)
                            values (:product, :person, :day, :supplier, 1, :at, :at)
                            on conflict (product_id, person_id, day) do update set sign_ins = usage_day.sign_ins + 1,
                                last_sign_in_at = greatest(usage_day.last_sign_in_at, excluded.last_sign_in_at)""")
                    .param("product", signIn.productId()).param("person", signIn.personId())
                    .param("day", signIn.at().atZone(ZoneId.systemDefault()).toLocalDate()).param("supplier", signIn.supplierId())
                    .param("at", Timestamp.from(signIn.at())).update();
        } catch (DataAccessException e) {
            // the database's message can quote the row's values: only its kind goes to the log
            log.warn("A sign-in to product {} was not counted as usage ({})", signIn.productId(), e.getClass().getSimpleName());
        }
    }
}
