package org.tilldela.purchase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.NewPool;
import org.tilldela.licensing.PoolRefused;

/**
 * A licence pool made by hand passes the same compliance gate as an order: no pool for a product whose
 * supplier has no processing agreement covering the organiser, none for data beyond the organiser's
 * policy (only an order the data protection officer approves gets past that), and none of 0 seats — each
 * refusal said in the user's language, nothing created.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManualPoolGateTest extends IntegrationTest {

    private static final String PASSWORD = "manual-pool-password";

    @LocalServerPort int port;
    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired AdminAccounts accounts;
    @Autowired BuyerScopes scopes;
    @Autowired LicencePools pools;
    @Autowired Orders orders;

    PurchaseFixture fx;
    String admin;
    UUID agreed;
    UUID unagreed;

    @BeforeAll
    void setUp() throws Exception {
        fx = new PurchaseFixture(imports, jdbc, catalog);
        admin = "pools-" + fx.tag;
        accounts.create(admin, "Licensadministratör", PASSWORD, EnumSet.of(AdminRight.LICENCE_ADMIN), "test");
        agreed = fx.supplier("Förlaget med avtal", true, List.of());
        unagreed = fx.supplier("Förlaget utan avtal", false, List.of());
    }

    private long poolsOf(UUID product) {
        return jdbc.sql("select count(*) from licence_pool where product_id = :p").param("p", product).query(Long.class).single();
    }

    private String article(UUID product) {
        return catalog.product(product).orElseThrow().articleNumber();
    }

    /** Submits the New pool form as the page offers it; answers the page the user lands on. */
    private WebSession.Answer newPool(WebSession web, UUID product, String seats, String lang) {
        Map<String, String> fields = WebSession.hiddenFields(web.get("/licences?lang=" + lang).body(), "/licences/pools");
        fields.put("articleNumber", article(product));
        fields.put("scopeId", fx.schoolId.toString());
        fields.put("seats", seats);
        fields.put("startsOn", LocalDate.now().toString());
        return web.post("/licences/pools", fields);
    }

    @Test
    void noPoolByHandForASupplierWithoutAProcessingAgreement() {
        UUID product = fx.product(unagreed, "Geometri utan avtal", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        assertThatThrownBy(() -> pools.create(new NewPool(product, fx.organiserId, fx.schoolId, 10, LocalDate.now(), LocalDate.now().plusYears(1),
                false, null, "test")))
                .isInstanceOf(PoolRefused.class).hasMessageContaining("no valid data processing agreement");

        WebSession web = new WebSession(port).signIn(admin, PASSWORD);
        WebSession.Answer answer = newPool(web, product, "10", "en");
        assertThat(answer.status()).isEqualTo(302);
        assertThat(answer.location()).endsWith("/licences");
        assertThat(web.follow(answer).body()).contains("No pool was created: Förlaget utan avtal " + fx.tag
                + " has no valid data processing agreement covering the organiser");
        WebSession.Answer swedish = web.follow(newPool(web, product, "10", "sv"));
        assertThat(swedish.body()).contains("Ingen pool skapades: Förlaget utan avtal " + fx.tag + " har inget giltigt personuppgiftsbiträdesavtal");
        assertThat(poolsOf(product)).isZero();
    }

    @Test
    void noPoolByHandForDataBeyondThePolicyButAnApprovedOrderGetsOne() {
        Set<Attribute> beyond = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.CIVIC_NUMBER);
        UUID product = fx.product(agreed, "Personnummerboken", Product.Kind.DIGITAL, beyond, null);
        WebSession web = new WebSession(port).signIn(admin, PASSWORD);
        assertThat(web.follow(newPool(web, product, "10", "da")).body()).contains("Ingen pulje blev oprettet: produktet beder om");
        assertThat(poolsOf(product)).isZero();

        // the one way past that reason: an order the data protection officer approves
        String buyer = fx.buyer(accounts, scopes, "gate-buyer", fx.schoolId);
        Order held = orders.place(buyer, List.of(new OrderLineRequest(product, List.of(Recipient.group(fx.group("c-7a"))), null, false))).order();
        assertThat(held.status()).isEqualTo(Order.Status.AWAITING_APPROVAL);
        assertThat(poolsOf(product)).isZero();
        orders.approve(held.id(), "dpo");
        assertThat(poolsOf(product)).isOne();
    }

    @Test
    void noPoolOfZeroSeats() {
        UUID product = fx.product(agreed, "Algebra", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        assertThatThrownBy(() -> new NewPool(product, fx.organiserId, fx.schoolId, 0, LocalDate.now(), LocalDate.now().plusYears(1), false, null, "t"))
                .isInstanceOf(PoolRefused.class).hasMessageContaining("at least 1 seat");
        WebSession web = new WebSession(port).signIn(admin, PASSWORD);
        assertThat(web.follow(newPool(web, product, "0", "en")).body()).contains("No pool was created: a pool needs at least 1 seat");
        assertThat(web.follow(newPool(web, product, "-3", "sv")).body()).contains("Ingen pool skapades: en pool behöver minst 1 plats");
        assertThat(web.follow(newPool(web, product, "", "en")).body()).contains("is licensed per user, so give the number of seats");
        assertThat(poolsOf(product)).isZero();

        WebSession.Answer created = newPool(web, product, "5", "en");
        assertThat(created.location()).contains("/licences/pools/");
        assertThat(poolsOf(product)).isOne();
    }
}
