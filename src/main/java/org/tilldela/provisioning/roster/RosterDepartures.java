package org.tilldela.provisioning.roster;

import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.tilldela.directory.DirectoryChangesRecorded;
import org.tilldela.licensing.LicenceEnded;
import org.tilldela.licensing.Licences;

/**
 * Remembers when what the roster API has sent to a product's supplier went away — a licence holder's licence, their
 * enrollments, a class — in the transaction that ends it, so a delta asked a moment later already sees it as
 * 'tobedeleted'. A person, enrollment or class the supplier never fetched is not written (the join with what it was
 * sent): most endings cost an index lookup or two.
 */
@Component
class RosterDepartures {

    private final JdbcClient jdbc;

    RosterDepartures(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The licence ended (its seat is already given back when this is published): the user goes, every enrollment of
     * theirs sent for the product goes with them, and so does every class sent whose last licence holder they were.
     */
    @EventListener
    void on(LicenceEnded event) {
        jdbc.sql("""
                        insert into roster_departure (product_id, person_id, departed_at)
                        select pr.id, rp.person_id, now() from product pr join roster_pseudonym rp on rp.supplier_id = pr.supplier_id
                        where pr.id = :product and rp.person_id = :person
                        on conflict (product_id, person_id) do update set departed_at = excluded.departed_at
                        """).param("product", event.productId()).param("person", event.personId()).update();
        jdbc.sql("update roster_enrollment set departed_at = now() where product_id = :product and person_id = :person and departed_at is null")
                .param("product", event.productId()).param("person", event.personId()).update();
        jdbc.sql("""
                        update roster_class rc set departed_at = now()
                        where rc.product_id = :holderProduct and rc.departed_at is null
                          and rc.group_id in (select m.group_id from membership m where m.person_id = :person)
                          and rc.group_id not in (select m.group_id from membership m where m.person_id in (%s))
                        """.formatted(Licences.HOLDERS))
                .param(Licences.HOLDER_PRODUCT, event.productId()).param(Licences.HOLDER_DAY, LocalDate.now()).param("person", event.personId()).update();
    }

    /**
     * An import applied (published in its transaction, after its changes): the sent enrollments of the persons it moved or
     * removed whose memberships are gone, and the sent classes it changed that no longer hold a licence holder of the
     * product (removed, or their last holder left them), went now.
     */
    @EventListener
    void on(DirectoryChangesRecorded event) {
        jdbc.sql("""
                        update roster_enrollment re set departed_at = now()
                        where re.departed_at is null
                          and re.person_id in (select c.person_id from directory_change c
                                               where c.import_run_id = :run and c.kind in ('PERSON_MOVED', 'PERSON_LEFT'))
                          and not exists (select 1 from membership m where m.id = re.membership_id)
                        """).param("run", event.importRunId()).update();
        String changedGroups = "select c.group_id from directory_change c where c.import_run_id = :run and c.kind = 'GROUP_CHANGED'";
        List<UUID> products = jdbc.sql("select distinct rc.product_id from roster_class rc where rc.departed_at is null and rc.group_id in (" + changedGroups + ")")
                .param("run", event.importRunId()).query(UUID.class).list();
        for (UUID product : products) {
            jdbc.sql("""
                            update roster_class rc set departed_at = now()
                            where rc.product_id = :holderProduct and rc.departed_at is null and rc.group_id in (%s)
                              and rc.group_id not in (select m.group_id from membership m where m.person_id in (%s))
                            """.formatted(changedGroups, Licences.HOLDERS))
                    .param("run", event.importRunId()).param(Licences.HOLDER_PRODUCT, product).param(Licences.HOLDER_DAY, LocalDate.now()).update();
        }
    }
}
