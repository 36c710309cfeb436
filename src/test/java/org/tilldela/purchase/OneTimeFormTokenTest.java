package org.tilldela.purchase;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
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

/**
 * Double clicks and resubmissions: a form that creates something carries a one-time token, so two
 * submissions of the same rendered form — at the same moment, or one after the other — create it once,
 * and both land on what was created. "Place the order" clicked twice places one order (one pool, each
 * pupil holding the product once); "New pool" twice makes one pool.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OneTimeFormTokenTest extends IntegrationTest {

    private static final String PASSWORD = "form-token-password";

    @LocalServerPort int port;
    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired AdminAccounts accounts;
    @Autowired BuyerScopes scopes;
    @Autowired Cart cart;

    PurchaseFixture fx;
    UUID supplier;

    @BeforeAll
    void setUp() throws Exception {
        fx = new PurchaseFixture(imports, jdbc, catalog);
        supplier = fx.supplier("Förlaget med avtal", true, List.of());
    }

    /** Sends the same form twice at the same moment; answers both answers. */
    private static List<WebSession.Answer> twiceAtOnce(WebSession web, String path, Map<String, String> fields) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch start = new CountDownLatch(1);
            Callable<WebSession.Answer> submit = () -> {
                start.await();
                return web.post(path, fields);
            };
            List<Future<WebSession.Answer>> both = List.of(pool.submit(submit), pool.submit(submit));
            start.countDown();
            List<WebSession.Answer> answers = new ArrayList<>();
            for (Future<WebSession.Answer> f : both) {
                answers.add(f.get());
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    private long count(String sql, String name, Object value) {
        return jdbc.sql(sql).param(name, value).query(Long.class).single();
    }

    @Test
    void placeTheOrderClickedTwiceAtOnceAndAgainLaterPlacesOneOrder() throws Exception {
        UUID product = fx.product(supplier, "Dubbelklicksboken", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        String buyer = fx.buyer(accounts, scopes, "double-click", fx.organiserId);
        UUID line = cart.add(buyer, product, null, false);
        cart.addRecipients(buyer, line, List.of(Recipient.group(fx.group("c-7a"))));
        WebSession web = new WebSession(port).signIn(buyer, PurchaseFixture.PASSWORD);
        Map<String, String> form = WebSession.hiddenFields(web.get("/purchase/cart").body(), "/purchase/checkout");
        assertThat(form).containsKey("formToken");

        List<WebSession.Answer> answers = twiceAtOnce(web, "/purchase/checkout", form);
        assertThat(answers).allSatisfy(a -> {
            assertThat(a.status()).isEqualTo(302);
            assertThat(a.location()).contains("/purchase/orders/");
        });
        assertThat(answers.get(0).location()).as("both land on the one order").isEqualTo(answers.get(1).location());
        assertThat(count("select count(*) from purchase_order where buyer = :b", "b", buyer)).isOne();
        assertThat(count("select count(*) from licence_pool where product_id = :p", "p", product)).isOne();
        assertThat(count("""
                select count(*) from (select person_id from licence_assignment a join licence_pool p on p.id = a.pool_id
                where p.product_id = :p and a.state <> 'ENDED' group by person_id having count(*) > 1) twice
                """, "p", product)).as("nobody holds the product twice").isZero();

        // the browser's back button and the same form sent again: the first order, nothing new
        WebSession.Answer again = web.post("/purchase/checkout", form);
        assertThat(again.status()).isEqualTo(302);
        assertThat(again.location()).isEqualTo(answers.getFirst().location());
        assertThat(web.follow(again).status()).isEqualTo(200);
        assertThat(count("select count(*) from purchase_order where buyer = :b", "b", buyer)).isOne();
    }

    @Test
    void newPoolSubmittedTwiceAtOnceAndAgainLaterMakesOnePool() throws Exception {
        UUID product = fx.product(supplier, "Dubbelpoolen", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        String admin = "double-pool-" + fx.tag;
        accounts.create(admin, "Licensadministratör", PASSWORD, EnumSet.of(AdminRight.LICENCE_ADMIN), "test");
        WebSession web = new WebSession(port).signIn(admin, PASSWORD);
        Map<String, String> form = WebSession.hiddenFields(web.get("/licences").body(), "/licences/pools");
        form.put("articleNumber", catalog.product(product).orElseThrow().articleNumber());
        form.put("scopeId", fx.schoolId.toString());
        form.put("seats", "30");
        form.put("startsOn", LocalDate.now().toString());

        List<WebSession.Answer> answers = twiceAtOnce(web, "/licences/pools", form);
        assertThat(answers).allSatisfy(a -> assertThat(a.location()).contains("/licences/pools/"));
        assertThat(answers.get(0).location()).isEqualTo(answers.get(1).location());
        assertThat(web.post("/licences/pools", form).location()).isEqualTo(answers.getFirst().location());
        assertThat(count("select count(*) from licence_pool where product_id = :p", "p", product)).isOne();

        // a fresh form (a new token) is a new submission: the administrator meant a second pool
        Map<String, String> fresh = new java.util.LinkedHashMap<>(form);
        fresh.putAll(WebSession.hiddenFields(web.get("/licences").body(), "/licences/pools"));
        assertThat(fresh.get("formToken")).isNotEqualTo(form.get("formToken"));
        assertThat(web.post("/licences/pools", fresh).location()).isNotEqualTo(answers.getFirst().location());
        assertThat(count("select count(*) from licence_pool where product_id = :p", "p", product)).isEqualTo(2);
    }

    @Test
    void aFormWithoutItsTokenCreatesNothing() {
        UUID product = fx.product(supplier, "Tokenlösa boken", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        String buyer = fx.buyer(accounts, scopes, "no-token", fx.organiserId);
        UUID line = cart.add(buyer, product, null, false);
        cart.addRecipients(buyer, line, List.of(Recipient.group(fx.group("c-7b"))));
        WebSession web = new WebSession(port).signIn(buyer, PurchaseFixture.PASSWORD);
        Map<String, String> form = WebSession.hiddenFields(web.get("/purchase/cart").body(), "/purchase/checkout");
        form.remove("formToken");
        assertThat(web.post("/purchase/checkout", form).status()).isEqualTo(400);
        assertThat(count("select count(*) from purchase_order where buyer = :b", "b", buyer)).isZero();
    }
}
