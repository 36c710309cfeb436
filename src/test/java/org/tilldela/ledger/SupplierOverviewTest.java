package org.tilldela.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.tilldela.WebSession;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/**
 * The ledger's overview of recipients: counted on each visit while the holdings are few, and kept (counted again on a
 * schedule or when asked) once they are many — the kept counts are exactly the live ones as of when they were made.
 */
class SupplierOverviewTest extends LedgerTestSupport {

    @Autowired LedgerReports reports;
    @Autowired SupplierOverview overview;
    @Autowired AdminAccounts accounts;
    @LocalServerPort int port;

    @Test
    void manyHoldingsAreReadFromTheCountsKeptWhichAnOfficerCanMakeAgain() throws Exception {
        UUID supplier = UUID.randomUUID();
        UUID product = UUID.randomUUID();
        List<Disclosure> first = batch(6, supplier, product);
        append(first);
        // few holdings (the test database): counted on each visit, so the new supplier is there at once
        assertThat(overview.overview(today()).countedAt()).isNull();
        assertThat(overview.overview(today()).suppliers()).anySatisfy(s -> assertThat(s.supplierId()).isEqualTo(supplier));

        // as if the holdings were many: the counts kept, made on the first visit, equal the live ones
        SupplierOverview kept = new SupplierOverview(jdbc, reports, 0);
        assertThat(kept.large()).isTrue();
        jdbc.sql("delete from ledger_supplier_summary").update();
        SupplierOverview.Overview made = kept.overview(today());
        assertThat(made.countedAt()).isNotNull().isBeforeOrEqualTo(Instant.now());
        assertThat(made.suppliers()).containsExactlyElementsOf(reports.suppliers(today()));
        assertThat(made.suppliers()).filteredOn(s -> s.supplierId().equals(supplier)).singleElement()
                .satisfies(s -> assertThat(s.persons()).isEqualTo(6));

        // a later release is not in them until they are made again; then it is, and a supplier that holds nothing leaves
        append(batch(3, supplier, UUID.randomUUID()));
        SupplierOverview.Overview stale = kept.overview(today());
        assertThat(stale.countedAt()).isEqualTo(made.countedAt());
        assertThat(stale.suppliers()).filteredOn(s -> s.supplierId().equals(supplier)).singleElement().satisfies(s -> {
            assertThat(s.persons()).isEqualTo(6);
            assertThat(s.products()).isEqualTo(1);
        });
        jdbc.sql("insert into ledger_supplier_summary (supplier_id, persons, products, overdue, counted_at) values (:s, 1, 1, 0, now())")
                .param("s", UUID.randomUUID()).update();
        kept.recount(today());
        SupplierOverview.Overview again = kept.overview(today());
        assertThat(again.countedAt()).isAfter(made.countedAt());
        assertThat(again.suppliers()).containsExactlyElementsOf(reports.suppliers(today()));
        assertThat(again.suppliers()).filteredOn(s -> s.supplierId().equals(supplier)).singleElement().satisfies(s -> {
            assertThat(s.persons()).isEqualTo(9);
            assertThat(s.products()).isEqualTo(2);
        });

        // an officer over the whole installation sees when they were counted and counts again from the page: audited
        String officer = "overview-dpo-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(officer, "Dataskyddsombud", "overview-password-1", java.util.EnumSet.of(AdminRight.DATA_PROTECTION_OFFICER), "test");
        WebSession web = new WebSession(port).signIn(officer, "overview-password-1");
        assertThat(web.page("/ledger").body()).as("few holdings: counted on the visit, no button").doesNotContain("/ledger/suppliers/recount");
        long was = overview.liveBelow();
        try {
            overview.liveBelow(0);
            String page = web.page("/ledger?lang=en").body();
            assertThat(page).contains("counts are kept rather than made on each visit: counted at", "Count again now");
            WebSession.Answer recount = web.post("/ledger/suppliers/recount", WebSession.hiddenFields(page, "/ledger/suppliers/recount"));
            assertThat(recount.status()).isEqualTo(302);
            assertThat(jdbc.sql("select count(*) from audit_event where action = 'LEDGER_OVERVIEW_RECOUNTED' and actor = :a").param("a", officer)
                    .query(Integer.class).single()).isEqualTo(1);
            assertThat(web.page("/ledger?lang=sv").body()).contains("Räkna om nu");
        } finally {
            overview.liveBelow(was);
        }
    }
}
