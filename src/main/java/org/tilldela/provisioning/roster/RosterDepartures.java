package org.tilldela.provisioning.roster;

import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.tilldela.licensing.LicenceEnded;

/**
 * Remembers when a licence of a person the roster API has sent to the product's supplier ended — in the
 * transaction that ends it, so a delta asked a moment later already sees the user as 'tobedeleted'. A person the
 * supplier never fetched is not written (the join with the pseudonyms it was sent): most endings cost one
 * index lookup.
 */
@Component
class RosterDepartures {

    private final JdbcClient jdbc;

    RosterDepartures(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @EventListener
    void on(LicenceEnded event) {
        jdbc.sql("""
                        insert into roster_departure (product_id, person_id, departed_at)
                        select pr.id, rp.person_id, now() from product pr join roster_pseudonym rp on rp.supplier_id = pr.supplier_id
                        where pr.id = :product and rp.person_id = :person
                        on conflict (product_id, person_id) do update set departed_at = excluded.departed_at
                        """).param("product", event.productId()).param("person", event.personId()).update();
    }
}
