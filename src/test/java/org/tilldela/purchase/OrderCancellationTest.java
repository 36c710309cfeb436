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
import java.util.Set;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogFixtures;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.ScopedMunicipality;
import org.tilldela.ledger.Channel;

/**
 * Cancelling an order or one of its lines (issue 13): asked first; allowed while its licences are unused (nothing about
 * any of its holders has reached the supplier), when the pool ends today and its seats are given back, audited; refused
 * once used, in the user's language, with nothing changed; another buyer's order is not found.
 */
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
class OrderCancellationTest extends IntegrationTest {

    @LocalServerPort int port;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired AdminAccounts accounts;
    @Autowired BuyerScopes buyerScopes;
    @Autowired Orders orders;
    @Autowired ReleasePolicy releasePolicy;

    /** A small municipality written straight into the directory (no import: quick), shared by both tests; each has its own buyer and products. */
    private ScopedMunicipality m;

    @org.junit.jupiter.api.BeforeAll
    void setUp() {
        m = new ScopedMunicipality(jdbc);
        // the organiser's officer allows what these products declare, so their orders are placed, not held
        jdbc.sql("insert into organiser_data_policy (organiser_id, attributes, updated_by) values (:o, :a, 'test')").param("o", m.organiser)
                .param("a", java.util.Arrays.stream(Attribute.values()).map(Enum::name).sorted().toArray(String[]::new)).update();
    }

    private String buyer(String name) {
        String username = name + "-" + m.source;
        accounts.create(username, "Inköpare", PurchaseFixture.PASSWORD, java.util.EnumSet.of(AdminRight.BUYER), "test");
        buyerScopes.set(username, m.organiser, "test");
        return username;
    }

    private UUID product(String title) {
        Supplier supplier = CatalogFixtures.withAgreement(CatalogFixtures.supplier("Avbokningsförlaget " + CatalogFixtures.unique(), "SE"),
                Set.of(m.organiser), LocalDate.now().minusYears(1), LocalDate.now().plusYears(1));
        catalog.save(supplier);
        Product p = CatalogFixtures.digital(supplier, title, "", List.of("Matematik"), Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME);
        catalog.save(p);
        return p.id();
    }

    @Test
    void aLineIsCancelledBeforeItsLicencesAreUsedAndRefusedOnceTheyAre() {
        String buyer = buyer("cancel");
        UUID unused = product("Oanvända boken");
        UUID used = product("Använda boken");
        Order order = orders.place(buyer, List.of(new OrderLineRequest(unused, List.of(Recipient.group(m.gB)), null, false),
                new OrderLineRequest(used, List.of(Recipient.group(m.gA)), null, false))).order();
        assertThat(order.status()).isEqualTo(Order.Status.PLACED);
        Order.Line unusedLine = order.lines().get(0);
        Order.Line usedLine = order.lines().get(1);
        assertThat(active(unusedLine.poolId())).as("4B's two pupils").isEqualTo(2);
        // a pupil of 4A signs in to the second product: something about a holder has reached the supplier
        releasePolicy.release(m.a1, used, Channel.SSO_ID_TOKEN);

        WebSession web = new WebSession(port).signIn(buyer, PurchaseFixture.PASSWORD);
        String orderPath = "/purchase/orders/" + order.id();
        String page = web.get(orderPath + "?lang=en").body();
        assertThat(page).contains("href=\"" + orderPath + "/cancel?line=" + unusedLine.id() + "\"")
                .doesNotContain("/cancel?line=" + usedLine.id()).doesNotContain("Cancel the whole order");

        // asking changes nothing, and says what will happen
        String confirm = web.get(orderPath + "/cancel?line=" + unusedLine.id()).body();
        assertThat(confirm).contains("Oanvända boken").contains("the seats in use are given back (2)").contains("Yes, cancel this line");
        assertThat(active(unusedLine.poolId())).isEqualTo(2);

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
        assertThat(active(usedLine.poolId())).isEqualTo(1);
        // nor the whole order, while one of its lines is used
        Map<String, String> whole = new java.util.HashMap<>(fields);
        whole.remove("line");
        assertThat(web.post(orderPath + "/cancel", whole).status()).isEqualTo(409);
        assertThat(active(unusedLine.poolId())).isEqualTo(2);

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
        String other = buyer("other");
        WebSession otherWeb = new WebSession(port).signIn(other, PurchaseFixture.PASSWORD);
        assertThat(otherWeb.get(orderPath + "/cancel?line=" + unusedLine.id()).status()).isEqualTo(404);
    }

    @Test
    void aWholeUnusedOrderIsCancelled() {
        String buyer = buyer("cancel-all");
        UUID first = product("Första boken");
        UUID second = product("Andra boken");
        Order order = orders.place(buyer, List.of(new OrderLineRequest(first, List.of(Recipient.group(m.gB)), null, false),
                new OrderLineRequest(second, List.of(Recipient.group(m.gA)), null, false))).order();
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
