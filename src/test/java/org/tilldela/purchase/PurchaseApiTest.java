package org.tilldela.purchase;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.licensing.Licences;

/** The purchase API over HTTP: placing (201 with pools, 422 with reasons), reading, previewing, and the rights it takes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PurchaseApiTest extends IntegrationTest {

    private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
    };

    record Response(int status, Map<String, Object> body) {
    }

    @LocalServerPort int port;
    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired AdminAccounts accounts;
    @Autowired BuyerScopes scopes;
    @Autowired Licences licences;
    @Autowired Orders orders;

    PurchaseFixture fx;
    String buyer;
    String otherBuyer;
    String officer;
    UUID product;
    UUID blockedProduct;

    @BeforeAll
    void setUp() throws Exception {
        fx = new PurchaseFixture(imports, jdbc, catalog);
        buyer = fx.buyer(accounts, scopes, "api-buyer", fx.schoolId);
        otherBuyer = fx.buyer(accounts, scopes, "api-other", fx.schoolId);
        officer = "api-dpo-" + fx.tag;
        accounts.create(officer, "Dataskyddsombud", PurchaseFixture.PASSWORD, EnumSet.of(AdminRight.DATA_PROTECTION_OFFICER), "test");
        product = fx.product(fx.supplier("Avtalad", true, List.of()), "Digital svenska", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        blockedProduct = fx.product(fx.supplier("Avtalslös", false, List.of()), "Digital engelska", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
    }

    private Response post(String user, String path, Object body) {
        return RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(user, PurchaseFixture.PASSWORD)).build()
                .post().uri(path).contentType(MediaType.APPLICATION_JSON).header("Accept-Language", "en").body(body)
                .exchange((req, res) -> new Response(res.getStatusCode().value(), res.getStatusCode().value() == 403 ? null : res.bodyTo(JSON)));
    }

    private Response get(String user, String path) {
        return RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(user, PurchaseFixture.PASSWORD)).build()
                .get().uri(path).exchange((req, res) -> new Response(res.getStatusCode().value(), res.getStatusCode().is2xxSuccessful() ? res.bodyTo(JSON) : null));
    }

    private Map<String, Object> order(UUID productId, UUID group, Integer seats) {
        return Map.of("lines", List.of(seats == null
                ? Map.of("productId", productId, "recipients", List.of(Map.of("kind", "GROUP", "groupId", group)))
                : Map.of("productId", productId, "seats", seats, "recipients", List.of(Map.of("kind", "GROUP", "groupId", group)))));
    }

    record Keyed(int status, Map<String, Object> body, String replayed) {
        @SuppressWarnings("unchecked")
        String orderId() {
            return body.get("order") == null ? null : (String) ((Map<String, Object>) body.get("order")).get("id");
        }
    }

    private Keyed postWithKey(String user, Object body, String key) {
        return RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(user, PurchaseFixture.PASSWORD)).build()
                .post().uri("/api/v1/purchase/orders").contentType(MediaType.APPLICATION_JSON).header("Idempotency-Key", key).body(body)
                .exchange((req, res) -> new Keyed(res.getStatusCode().value(), res.bodyTo(JSON), res.getHeaders().getFirst("Idempotent-Replayed")));
    }

    /**
     * A client whose answer was lost sends the order again with the same Idempotency-Key: it gets the order it placed,
     * and no second one is bought — also when both arrive at once. The key again with other lines is refused; another
     * buyer's key is theirs.
     */
    @Test
    void anOrderSentAgainWithItsIdempotencyKeyIsPlacedOnce() throws Exception {
        UUID keyed = fx.product(fx.supplier("Nyckelförlaget", true, List.of()), "Digital matematik", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        java.util.function.IntSupplier orders = () -> jdbc.sql("select count(*) from order_line where product_id = :p").param("p", keyed)
                .query(Integer.class).single();
        String key = UUID.randomUUID().toString();
        Keyed first = postWithKey(buyer, order(keyed, fx.group("c-7a"), 2), key);
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.replayed()).isNull();
        Keyed again = postWithKey(buyer, order(keyed, fx.group("c-7a"), 2), key);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.replayed()).isEqualTo("true");
        assertThat(again.orderId()).isEqualTo(first.orderId());
        assertThat(again.body().get("verdict")).isEqualTo("OK");
        assertThat(orders.getAsInt()).isOne();
        assertThat(licences.holders(keyed, LocalDate.now())).hasSize(2);

        Keyed other = postWithKey(buyer, order(keyed, fx.group("c-7a"), 3), key);
        assertThat(other.status()).as("the key again for other lines").isEqualTo(422);
        assertThat(String.valueOf(other.body().get("detail"))).contains("Idempotency-Key");
        Keyed theirs = postWithKey(otherBuyer, order(keyed, fx.group("c-7a"), 1), key);
        assertThat(theirs.status()).as("a key is the buyer's own").isEqualTo(201);
        assertThat(theirs.orderId()).isNotEqualTo(first.orderId());
        assertThat(orders.getAsInt()).isEqualTo(2);

        // two at once with a new key: one order
        String twinKey = UUID.randomUUID().toString();
        java.util.concurrent.ExecutorService twice = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = twice.submit(() -> postWithKey(buyer, order(keyed, fx.group("c-7b"), 1), twinKey));
            var b = twice.submit(() -> postWithKey(buyer, order(keyed, fx.group("c-7b"), 1), twinKey));
            assertThat(a.get().status()).isEqualTo(201);
            assertThat(b.get().status()).isEqualTo(201);
            assertThat(a.get().orderId()).isEqualTo(b.get().orderId());
        } finally {
            twice.shutdown();
        }
        assertThat(orders.getAsInt()).isEqualTo(3);
        assertThat(postWithKey(buyer, order(keyed, fx.group("c-7b"), 1), "x".repeat(256)).status()).as("too long a key").isEqualTo(400);
    }

    @Test
    @SuppressWarnings("unchecked")
    void anOrderIsPlacedWithItsPoolsAndReadBack() {
        Response placed = post(buyer, "/api/v1/purchase/orders", order(product, fx.group("c-7a"), 3));
        assertThat(placed.status()).isEqualTo(201);
        assertThat(placed.body().get("verdict")).isEqualTo("OK");
        Map<String, Object> order = (Map<String, Object>) placed.body().get("order");
        assertThat(order.get("status")).isEqualTo("PLACED");
        List<Map<String, Object>> pools = (List<Map<String, Object>>) order.get("pools");
        assertThat(pools).singleElement().satisfies(p -> {
            assertThat(p.get("seats")).isEqualTo(3);
            assertThat(p.get("seatsUsed")).isEqualTo(3);
            assertThat((List<?>) p.get("withoutSeat")).hasSize(2); // 7A: four pupils and a teacher
        });
        assertThat(licences.holders(product, LocalDate.now())).hasSize(3);

        String id = (String) order.get("id");
        assertThat(get(buyer, "/api/v1/purchase/orders/" + id).body().get("status")).isEqualTo("PLACED");
        // another buyer does not see it
        assertThat(get(otherBuyer, "/api/v1/purchase/orders/" + id).status()).isEqualTo(404);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aBlockedOrderAnswers422WithTheReasonsInPlainWords() {
        Response blocked = post(buyer, "/api/v1/purchase/orders", order(blockedProduct, fx.group("c-7b"), null));
        assertThat(blocked.status()).isEqualTo(422);
        assertThat(blocked.body().get("verdict")).isEqualTo("BLOCKED");
        assertThat(blocked.body().get("order")).isNull();
        List<Map<String, Object>> lines = (List<Map<String, Object>>) blocked.body().get("lines");
        Map<String, Object> reason = ((List<Map<String, Object>>) lines.getFirst().get("reasons")).getFirst();
        assertThat(reason.get("code")).isEqualTo("noProcessingAgreement");
        assertThat((String) reason.get("message")).contains("has no valid data processing agreement");
        assertThat(licences.holders(blockedProduct, LocalDate.now())).isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void thePreviewTellsWhatWouldBeReleased() {
        Response preview = post(buyer, "/api/v1/purchase/preview",
                Map.of("productId", product, "recipients", List.of(Map.of("kind", "GRADE_AT_UNIT", "organisationId", fx.schoolId, "grade", "07"))));
        assertThat(preview.status()).isEqualTo(200);
        assertThat(preview.body().get("recipients")).isEqualTo(7);
        Map<String, Object> p = (Map<String, Object>) preview.body().get("preview");
        assertThat(p.get("persons")).isEqualTo(7);
        assertThat(p.get("protectedPersons")).isEqualTo(1);
    }

    @Test
    void recipientsOutsideTheScopeAndWrongRightsAreRefused() {
        Response outside = post(buyer, "/api/v1/purchase/orders", order(product, fx.group("c-9a"), null));
        assertThat(outside.status()).isEqualTo(400);
        assertThat((String) outside.body().get("detail")).contains("outside");
        // a data protection officer places no orders, a buyer approves none
        assertThat(post(officer, "/api/v1/purchase/orders", order(product, fx.group("c-7a"), null)).status()).isEqualTo(403);
        assertThat(get(officer, "/api/v1/purchase/orders/" + UUID.randomUUID()).status()).isEqualTo(403);
        String noScope = fx.buyer(accounts, scopes, "api-noscope", null);
        assertThat(post(noScope, "/api/v1/purchase/orders", order(product, fx.group("c-7a"), null)).status()).isEqualTo(403);
    }

    @Test
    @SuppressWarnings("unchecked")
    void anOrderLineAndAHeldOrderAreCancelledByTheWebFormsRules() {
        UUID first = fx.product(fx.supplier("Avbokbar", true, List.of()), "Avbokningsboken", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        UUID second = fx.product(fx.supplier("Avbokbar två", true, List.of()), "Kvarboken", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        Map<String, Object> two = Map.of("lines", List.of(
                Map.of("productId", first, "recipients", List.of(Map.of("kind", "GROUP", "groupId", fx.group("c-7a")))),
                Map.of("productId", second, "recipients", List.of(Map.of("kind", "GROUP", "groupId", fx.group("c-8a"))))));
        Map<String, Object> order = (Map<String, Object>) post(buyer, "/api/v1/purchase/orders", two).body().get("order");
        String id = (String) order.get("id");
        String line = (String) ((List<Map<String, Object>>) order.get("lines")).getFirst().get("id");
        assertThat(licences.holders(first, LocalDate.now())).isNotEmpty();

        // another buyer's order is not found; the buyer's own line is cancelled, its seats given back, audited
        assertThat(post(otherBuyer, "/api/v1/purchase/orders/" + id + "/lines/" + line + "/cancel", Map.of()).status()).isEqualTo(404);
        Response cancelled = post(buyer, "/api/v1/purchase/orders/" + id + "/lines/" + line + "/cancel", Map.of());
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.body().get("status")).as("one line is left").isEqualTo("PLACED");
        assertThat(licences.holders(first, LocalDate.now())).isEmpty();
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'ORDER_LINE_CANCELLED' and target_id = :o and actor = :a")
                .param("o", id).param("a", buyer).query(Long.class).single()).isOne();
        // again: refused with the reason, in words and as a code
        Response again = post(buyer, "/api/v1/purchase/orders/" + id + "/lines/" + line + "/cancel", Map.of());
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body()).containsEntry("code", "cancelled").containsEntry("detail", "It is already cancelled.");
        assertThat(post(buyer, "/api/v1/purchase/orders/" + id + "/lines/" + UUID.randomUUID() + "/cancel", Map.of()).status()).isEqualTo(404);

        // an order held for the data protection officer: withdrawn whole, and then it cannot be approved
        UUID civic = fx.product(fx.supplier("Personnummerförlaget", true, List.of()), "Personnummertjänsten", Product.Kind.DIGITAL,
                java.util.EnumSet.of(org.tilldela.catalog.Attribute.PSEUDONYMOUS_ID, org.tilldela.catalog.Attribute.CIVIC_NUMBER), null);
        Response held = post(buyer, "/api/v1/purchase/orders", order(civic, fx.group("c-7b"), null));
        assertThat(held.body().get("verdict")).isEqualTo("NEEDS_DPO_APPROVAL");
        String heldId = (String) ((Map<String, Object>) held.body().get("order")).get("id");
        // the web form asks the same: the order page offers it, the confirmation says nothing is taken back
        org.tilldela.WebSession web = new org.tilldela.WebSession(port).signIn(buyer, PurchaseFixture.PASSWORD);
        assertThat(web.get("/purchase/orders/" + heldId + "?lang=en").body()).contains("/purchase/orders/" + heldId + "/cancel?line=");
        assertThat(web.get("/purchase/orders/" + heldId + "/cancel").body()).contains("no licence was given, so none is taken back");
        Response withdrawn = post(buyer, "/api/v1/purchase/orders/" + heldId + "/cancel", Map.of());
        assertThat(withdrawn.status()).isEqualTo(200);
        assertThat(withdrawn.body().get("status")).isEqualTo("CANCELLED");
        assertThat(jdbc.sql("select state from dpo_approval where order_id = :o").param("o", UUID.fromString(heldId)).query(String.class).single())
                .isEqualTo("WITHDRAWN");
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'ORDER_WITHDRAWN' and target_id = :o").param("o", heldId)
                .query(Long.class).single()).isOne();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> orders.approve(UUID.fromString(heldId), officer))
                .isInstanceOf(IllegalStateException.class);
        assertThat(licences.holders(civic, LocalDate.now())).isEmpty();
    }
}
