package org.tilldela.purchase;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.NewPool;

/** A pool ended early (issue 13): asked first, then its seats end today as at the end of its period, and it is audited. */
class PoolEndsEarlyTest extends IntegrationTest {

    @LocalServerPort int port;
    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired AdminAccounts accounts;
    @Autowired LicencePools pools;

    @Test
    void aPoolEndedEarlyAsksFirstThenEndsItsSeatsAndIsAudited() throws Exception {
        PurchaseFixture fx = new PurchaseFixture(imports, jdbc, catalog);
        String admin = "end-pool-" + fx.tag;
        accounts.create(admin, "Licensadministratör", PurchaseFixture.PASSWORD, EnumSet.of(AdminRight.LICENCE_ADMIN), "test");
        UUID product = fx.product(fx.supplier("Slutförlaget", true, List.of()), "Slutboken", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        UUID pool = pools.create(new NewPool(product, fx.organiserId, fx.schoolId, 30, LocalDate.now().minusMonths(1), LocalDate.now().plusYears(1),
                false, null, "test"));
        pools.assignGroup(pool, fx.group("c-7b"), "test");
        assertThat(active(pool)).as("three pupils and their teacher").isEqualTo(4);

        WebSession web = new WebSession(port).signIn(admin, PurchaseFixture.PASSWORD);
        assertThat(web.get("/licences/pools/" + pool).body()).contains("href=\"/licences/pools/" + pool + "/end\"");
        String confirm = web.get("/licences/pools/" + pool + "/end").body();
        assertThat(confirm).contains("End Slutboken " + fx.tag + " for Ekbackaskolan " + fx.tag + " now?", "4 persons hold a seat");
        assertThat(active(pool)).as("asking ends nothing").isEqualTo(4);

        WebSession.Answer ended = web.post("/licences/pools/" + pool + "/end", WebSession.hiddenFields(confirm, "/licences/pools/" + pool + "/end"));
        assertThat(web.follow(ended).body()).contains("The pool has ended");
        assertThat(active(pool)).isZero();
        assertThat(jdbc.sql("select ends_on from licence_pool where id = :p").param("p", pool).query(LocalDate.class).single())
                .isEqualTo(LocalDate.now().minusDays(1));
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'LICENCE_POOL_ENDED_EARLY' and target_id = :p and actor = :a")
                .param("p", pool.toString()).param("a", admin).query(Long.class).single()).isOne();

        Map<String, String> again = WebSession.hiddenFields(web.get("/licences/pools/" + pool + "/end").body(), "/licences/pools/" + pool + "/end");
        assertThat(web.follow(web.post("/licences/pools/" + pool + "/end", again)).body()).contains("The pool had already ended");
    }

    private long active(UUID pool) {
        return jdbc.sql("select count(*) from licence_assignment where pool_id = :p and state = 'ACTIVE'").param("p", pool).query(Long.class).single();
    }
}
