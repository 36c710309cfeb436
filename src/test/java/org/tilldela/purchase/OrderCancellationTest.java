package org.tilldela.purchase;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.ledger.Channel;

/**
 * Cancelling an order or one of its lines (issue 13): asked first; allowed while its licences are unused (nothing about
 * any of its holders has reached the supplier), when the pool ends today and its seats are given back, audited; refused
 * once used, in the user's language, with nothing changed; another buyer's order is not found.
 */
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
class OrderCancellationTest extends IntegrationTest {

    @LocalServerPort int port;
    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired AdminAccounts accounts;
    @Autowired BuyerScopes buyerScopes;
    @Autowired Orders orders;
    @Autowired ReleasePolicy releasePolicy;

    /** One imported municipality for both tests (an import is most of their time); each has its own buyer and products. */
    private PurchaseFixture fx;

    @org.junit.jupiter.api.BeforeAll
    void setUp() throws Exception {
        fx = new PurchaseFixture(imports, jdbc, catalog);
    }

    @Test
    void aLineIsCancelledBeforeItsLicencesAreUsedAndRefusedOnceTheyAre() throws Exception {
        String buyer = fx.buyer(accounts, buyerScopes, "cancel", fx.organiserId);
        UUID supplier = fx.supplier("Avbokningsförlaget", true, List.of());
        UUID unused = fx.product(supplier, "Oanvända boken", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        UUID used = fx.product(supplier, "Använda boken", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        Order order = orders.place(buyer, List.of(new OrderLineRequest(unused, List.of(Recipient.group(fx.group("c-7b"))), null, false),
                new OrderLineRequest(used, List.of(Recipient.group(fx.group("c-8a"))), null, false))).order();
        assertThat(order.status()).isEqualTo(Order.Status.PLACED);
        Order.Line unusedLine = order.lines().get(0);
        Order.Line usedLine = order.lines().get(1);
        assertThat(active(unusedLine.poolId())).as("7B's three pupils and their teacher").isEqualTo(4);
        // a pupil of 8A signs in to the second product: something about a holder has reached the supplier
        releasePolicy.release(fx.person("p8"), used, Channel.SSO_ID_TOKEN);

        WebSession web = new WebSession(port).signIn(buyer, PurchaseFixture.PASSWORD);
        String orderPath = "/purchase/orders/" + order.id();
        String page = web.get(orderPath + "?lang=en").body();
        assertThat(page).contains("href=\"" + orderPath + "/cancel?line=" + unusedLine.id() + "\"")
                .doesNotContain("/cancel?line=" + usedLine.id()).doesNotContain("Cancel the whole order");

        // asking changes nothing, and says what will happen
        String confirm = web.get(orderPath + "/cancel?line=" + unusedLine.id()).body();
        assertThat(confirm).contains("Oanvända boken").contains("its 4 seats in use are given back").contains("Yes, cancel this line");
        assertThat(active(unusedLine.poolId())).isEqualTo(4);

        // the used line: refused, in the user's language, and nothing changes
        assertThat(web.get(orderPath + "/cancel?line=" + usedLine.id()).body()).contains("the licences have been used")
                .doesNotContain("Yes, cancel this line").doesNotContain("nobody has used them yet");
        Map<String, String> fields = WebSession.hiddenFields(confirm, orderPath + "/cancel");
        fields.put("line", usedLine.id().toString());
        WebSession.Answer refused = web.post(orderPath + "/cancel", fields);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body()).contains("data about someone holding one of its licences has already been sent to the supplier");
        web.get(orderPath + "?lang=sv");
        assertThat(web.post(orderPath + "/cancel", WebSession.toList(fields)).body())
                .contains("uppgifter om någon som har en av licenserna har redan skickats till leverantören");
        web.get(orderPath + "?lang=da");
        assertThat(web.post(orderPath + "/cancel", WebSession.toList(fields)).body())
                .contains("oplysninger om en, der har en af licenserne, er allerede sendt til leverandøren");
        assertThat(active(usedLine.poolId())).isEqualTo(2);
        // nor the whole order, while one of its lines is used
        Map<String, String> whole = new java.util.HashMap<>(fields);
        whole.remove("line");
        assertThat(web.post(orderPath + "/cancel", whole).status()).isEqualTo(409);
        assertThat(active(unusedLine.poolId())).isEqualTo(4);

        // the unused line: cancelled; its pool ends today, its seats given back, audited
        web.get(orderPath + "?lang=en");
        WebSession.Answer cancelled = web.post(orderPath + "/cancel", WebSession.hiddenFields(confirm, orderPath + "/cancel"));
        assertThat(cancelled.status()).isEqualTo(302);
        assertThat(web.follow(cancelled).body()).contains("The line is cancelled").contains("Cancelled on " + LocalDate.now())
                .contains("Cancelled: the licence pool has ended and its seats were given back.");
        assertThat(active(unusedLine.poolId())).isZero();
        assertThat(jdbc.sql("select ends_on from licence_pool where id = :p").param("p", unusedLine.poolId()).query(LocalDate.class).single())
                .isBefore(LocalDate.now());
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'ORDER_LINE_CANCELLED' and target_id = :o and actor = :a")
                .param("o", order.id().toString()).param("a", buyer).query(Long.class).single()).isOne();
        Order after = orders.order(order.id()).orElseThrow();
        assertThat(after.status()).as("one line is left").isEqualTo(Order.Status.PLACED);
        assertThat(after.lines().get(0).cancelled()).isTrue();
        assertThat(after.lines().get(1).cancelled()).isFalse();
        // cancelled once is cancelled: asked again, it says so
        assertThat(web.get(orderPath + "/cancel?line=" + unusedLine.id()).body()).contains("It is already cancelled.");

        // another buyer does not find the order
        String other = fx.buyer(accounts, buyerScopes, "other", fx.organiserId);
        WebSession otherWeb = new WebSession(port).signIn(other, PurchaseFixture.PASSWORD);
        assertThat(otherWeb.get(orderPath + "/cancel?line=" + unusedLine.id()).status()).isEqualTo(404);
    }

    @Test
    void aWholeUnusedOrderIsCancelled() throws Exception {
        String buyer = fx.buyer(accounts, buyerScopes, "cancel-all", fx.organiserId);
        UUID supplier = fx.supplier("Helförlaget", true, List.of());
        UUID first = fx.product(supplier, "Första boken", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        UUID second = fx.product(supplier, "Andra boken", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        Order order = orders.place(buyer, List.of(new OrderLineRequest(first, List.of(Recipient.group(fx.group("c-7b"))), null, false),
                new OrderLineRequest(second, List.of(Recipient.group(fx.group("c-8a"))), null, false))).order();
        WebSession web = new WebSession(port).signIn(buyer, PurchaseFixture.PASSWORD);
        String orderPath = "/purchase/orders/" + order.id();
        assertThat(web.get(orderPath + "?lang=en").body()).contains("href=\"" + orderPath + "/cancel\"");
        String confirm = web.get(orderPath + "/cancel").body();
        assertThat(confirm).contains("Första boken").contains("Andra boken").contains("Yes, cancel the order");
        WebSession.Answer done = web.post(orderPath + "/cancel", WebSession.hiddenFields(confirm, orderPath + "/cancel"));
        assertThat(web.follow(done).body()).contains("The order is cancelled").contains("Cancelled");
        assertThat(orders.order(order.id()).orElseThrow().status()).isEqualTo(Order.Status.CANCELLED);
        List<Long> seats = new ArrayList<>();
        order.lines().forEach(l -> seats.add(active(l.poolId())));
        assertThat(seats).containsOnly(0L);
    }

    private long active(UUID pool) {
        return jdbc.sql("select count(*) from licence_assignment where pool_id = :p and state = 'ACTIVE'").param("p", pool).query(Long.class).single();
    }
}
