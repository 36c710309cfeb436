package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.access.ReleaseObjections;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogFixtures;
import org.tilldela.catalog.Product;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.ScopedMunicipality;
import org.tilldela.purchase.BuyerScopes;
import org.tilldela.purchase.Deliveries;
import org.tilldela.purchase.LineDelivery;
import org.tilldela.purchase.Order;
import org.tilldela.purchase.OrderLineRequest;
import org.tilldela.purchase.Orders;
import org.tilldela.purchase.Recipient;

/**
 * BOL (issue 15) against a publisher's BOL service written from the specification and checked against an OpenAPI
 * document ({@link BolTestServer}): an order placed in Tilldela reaches the publisher, its answer — at once, or later at the
 * order's responseUrl — shows on the order, and the licences then follow as BOL assignments naming each pupil only by
 * their pairwise pseudonym, each recorded in the disclosure ledger; an objection takes the licence back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BolOrdersTest extends IntegrationTest {

    static final String PASSWORD = BolFixture.PASSWORD;

    @LocalServerPort int port;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired AdminAccounts accounts;
    @Autowired BuyerScopes buyerScopes;
    @Autowired Orders orders;
    @Autowired Deliveries deliveries;
    @Autowired Connectors connectors;
    @Autowired ReleaseObjections objections;

    private BolFixture fx;
    private ScopedMunicipality m;
    private BolTestServer publisher;
    private UUID supplier;

    @BeforeAll
    void setUp() throws Exception {
        fx = new BolFixture(jdbc, catalog, connectors, accounts, buyerScopes);
        m = fx.m;
        publisher = fx.publisher;
        supplier = fx.supplier;
    }

    @AfterAll
    void tearDown() {
        fx.close();
    }

    private UUID product(String title) {
        return fx.product(title);
    }

    private UUID connector(String name, UUID... products) {
        return fx.connector(name, products);
    }

    private String buyer(String name) {
        return fx.buyer(name);
    }

    private LineDelivery delivery(Order order) {
        return deliveries.ofOrder(order.id()).get(order.lines().getFirst().id());
    }

    @Test
    void theTestPublisherRefusesWhatBolDoesNotDefine() throws Exception {
        try (BolTestServer strict = new BolTestServer(); java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            String misspelt = """
                    {"clientId":"c","serviceProviderId":"s","clientOrderNumber":"1","buyer":{"type":"organization"},
                     "orderLines":[{"clientOrderLineId":"l","articleNumber":"a","qty":1}]}""";
            var answer = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(strict.baseUrl() + "/v1/orders/create"))
                    .header("Authorization", "Bearer " + strict.token).header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(misspelt)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(400);
            assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(strict.violations).singleElement().asString().contains("quantity").contains("qty");
            assertThat(strict.orders).isEmpty();
        }
    }

    @Autowired org.tilldela.licensing.LicencePools pools;

    /**
     * A holder added while another holder's assignment of the same order line is still on its way to a slow publisher:
     * the two are pushed by two workers at once, and each gets a licence key of its own — the line's keys are taken,
     * sent and recorded under a lock of the line, so the second worker sees the first one's key as taken.
     */
    @Test
    void twoHoldersOfOneLinePushedAtOnceGetAKeyEach() throws Exception {
        Delivered delivered = deliveredLine("Nyckelresan", "BOL nycklar", "bol-keys");
        Order.Line line = delivered.line();
        long holders = delivered.holders();

        publisher.assignDelayMillis = 1200; // within the connectors' timeout in tests (2 s)
        try {
            pools.assignDirect(line.poolId(), List.of(m.a1), "test");
            await().atMost(Duration.ofSeconds(10)).until(() -> publisher.requests.get() > 0 && jdbc.sql(
                    "select count(*) from provisioning_operation where person_id = :p and state = 'IN_FLIGHT'").param("p", m.a1).query(Long.class).single() > 0);
            pools.assignDirect(line.poolId(), List.of(m.tA), "test");
            awaitHeld(line, holders + 2);
        } finally {
            publisher.assignDelayMillis = 0;
        }
        List<String> keys = publisher.held().stream().filter(a -> a.get("line").equals(line.id().toString())).map(a -> a.get("key")).toList();
        assertThat(keys).hasSize((int) holders + 2).doesNotHaveDuplicates();
        assertThat(jdbc.sql("select count(distinct key_index) from bol_assignment where line_id = :l").param("l", line.id()).query(Long.class).single())
                .isEqualTo(holders + 2);
    }

    @Test
    void anAssignmentWhoseAnswerWasLostIsSentAgainUnderItsOwnIdSoThePublisherHoldsItOnce() throws Exception {
        Delivered delivered = deliveredLine("Omsändningen", "BOL omsändning", "bol-resend");
        Order.Line line = delivered.line();
        long holders = delivered.holders();

        // the publisher makes the assignment but answers after the connector has given up waiting (2 s in tests)
        Integer[] keyTaken = new Integer[1];
        publisher.assignDelayMillis = 2600;
        try {
            pools.assignDirect(line.poolId(), List.of(m.a1), "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.sql(
                    "select count(*) from provisioning_operation where person_id = :p and last_error is not null and state <> 'DONE'")
                    .param("p", m.a1).query(Long.class).single() > 0);
            // the publisher made it (after its delay), though its answer was not waited for
            await().atMost(Duration.ofSeconds(5)).until(() -> publisher.held().stream().filter(a -> a.get("line").equals(line.id().toString())).count()
                    == holders + 1);
            // the attempt awaiting its answer keeps the licence key it took, for its retry (no other holder takes it meanwhile)
            keyTaken[0] = jdbc.sql("select key_index from bol_assignment_attempt where line_id = :l and person_id = :p")
                    .param("l", line.id()).param("p", m.a1).query(Integer.class).single();
            assertThat(keyTaken[0]).isNotNull();
        } finally {
            publisher.assignDelayMillis = 0;
        }
        awaitHeld(line, holders + 1);
        assertThat(publisher.held().stream().filter(a -> a.get("line").equals(line.id().toString())).count())
                .as("the retry was the same assignment, not a second licence").isEqualTo(holders + 1);
        String recorded = jdbc.sql("select client_assignment_id from bol_assignment where line_id = :l and person_id = :p")
                .param("l", line.id()).param("p", m.a1).query(String.class).single();
        assertThat(publisher.assignments).containsKey(recorded);
        assertThat(jdbc.sql("select key_index from bol_assignment where line_id = :l and person_id = :p").param("l", line.id()).param("p", m.a1)
                .query(Integer.class).single()).as("sent again with the key it took the first time").isEqualTo(keyTaken[0]);
        assertThat(jdbc.sql("select count(*) from bol_assignment_attempt where line_id = :l").param("l", line.id()).query(Long.class).single())
                .as("answered: nothing left pending").isZero();
        assertThat(publisher.violations).isEmpty();
    }

    /** A line of 40 seats for group B, bought and delivered (with a key per seat), and its holders assigned at the publisher. */
    private record Delivered(Order.Line line, long holders) {
    }

    private Delivered deliveredLine(String title, String connectorName, String buyerName) {
        publisher.orderMode = BolTestServer.Orders.DELIVER;
        UUID product = product(title + " " + CatalogFixtures.unique());
        connector(connectorName, product);
        Order order = orders.place(buyer(buyerName), List.of(new OrderLineRequest(product, List.of(Recipient.group(m.gB)), 40, false))).order();
        Order.Line line = order.lines().getFirst();
        await().atMost(Duration.ofSeconds(30)).until(() -> delivery(order) != null && delivery(order).status() == LineDelivery.Status.DELIVERED);
        long holders = jdbc.sql("select count(*) from licence_assignment where pool_id = :p and state = 'ACTIVE'").param("p", line.poolId())
                .query(Long.class).single();
        awaitHeld(line, holders);
        return new Delivered(line, holders);
    }

    private void awaitHeld(Order.Line line, long n) {
        try {
            fx.awaitAssigned(jdbc, line.id(), n);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("wanted " + n + ", held " + publisher.held().stream().filter(a -> a.get("line").equals(line.id().toString())).count()
                    + ", recorded " + jdbc.sql("select count(*) from bol_assignment where line_id = :l").param("l", line.id()).query(Long.class).single()
                    + ", violations " + publisher.violations + ", ops " + jdbc.sql("select o.person_id || ':' || kind || ':' || state || ':' || coalesce(o.last_error, '') "
                    + "from provisioning_operation o join provisioning_connector c on c.id = o.connector_id where c.name = 'BOL nycklar'").query(String.class).list(), e);
        }
    }

    @Test
    void anOrderReachesThePublisherItsDeliveryShowsOnTheOrderAndItsLicencesAreAssignedByPseudonym() throws Exception {
        publisher.orderMode = BolTestServer.Orders.DELIVER;
        UUID product = product("Läsresan " + CatalogFixtures.unique());
        String article = catalog.product(product).orElseThrow().articleNumber();
        connector("BOL direkt", product);
        String buyer = buyer("bol-direct");
        Order order = orders.place(buyer, List.of(new OrderLineRequest(product, List.of(Recipient.group(m.gB)), null, false))).order();
        assertThat(order.status()).isEqualTo(Order.Status.PLACED);
        Order.Line line = order.lines().getFirst();
        long holders = jdbc.sql("select count(*) from licence_assignment where pool_id = :p and state = 'ACTIVE'").param("p", line.poolId())
                .query(Long.class).single();
        assertThat(holders).as("4B's pupils hold the licence").isPositive();

        await().atMost(Duration.ofSeconds(30)).until(() -> delivery(order) != null && delivery(order).status() == LineDelivery.Status.DELIVERED);
        var sent = publisher.orders.stream().filter(o -> o.path("clientOrderNumber").asString().equals(Long.toString(order.number()))).toList();
        assertThat(sent).as("sent once").hasSize(1);
        var request = sent.getFirst();
        assertThat(request.path("serviceProviderId").asString()).isEqualTo(publisher.serviceProviderId);
        assertThat(request.path("orderLines").get(0).path("clientOrderLineId").asString()).isEqualTo(line.id().toString());
        assertThat(request.path("orderLines").get(0).path("articleNumber").asString()).isEqualTo(article);
        assertThat(request.path("orderLines").get(0).path("quantity").asInt()).isEqualTo(holders);
        assertThat(request.path("buyer").path("type").asString()).isEqualTo("organization");
        assertThat(request.path("buyer").has("reference")).as("no buyer's name or e-mail goes").isFalse();
        assertThat(request.path("responseUrl").asString()).startsWith("http://localhost:" + port + "/bol/responses/");
        LineDelivery delivered = delivery(order);
        assertThat(delivered.licenceKeys()).isEqualTo(holders);
        assertThat(delivered.validTo()).isEqualTo(LocalDate.now().plusYears(1).minusDays(1));
        assertThat(jdbc.sql("select licence_keys from bol_order_line where line_id = :l").param("l", line.id()).query(byte[].class).single())
                .as("the keys are kept encrypted").asString().doesNotContain("KEY-");

        // delivered: each holder's licence is assigned at the publisher, by pseudonym, with a key of the line's own
        fx.awaitAssigned(jdbc, line.id(), holders);
        List<Map<String, String>> held = publisher.held().stream().filter(a -> a.get("line").equals(line.id().toString())).toList();
        List<String> personIds = jdbc.sql("select person_id::text from licence_assignment where pool_id = :p").param("p", line.poolId())
                .query(String.class).list();
        assertThat(held).allSatisfy(a -> {
            assertThat(a.get("userIdSource")).isEqualTo("client");
            assertThat(personIds).doesNotContain(a.get("userId"));
            assertThat(a.get("article")).isEqualTo(article);
            assertThat(a.get("key")).startsWith("KEY-" + article);
        });
        assertThat(held.stream().map(a -> a.get("key")).distinct().count()).as("one key each").isEqualTo(holders);
        assertThat(held.stream().map(a -> a.get("userId")).distinct().count()).isEqualTo(holders);
        assertThat(jdbc.sql("select count(distinct person_id) from disclosure where product_id = :p and channel = 'BOL_ASSIGNMENT'").param("p", product)
                .query(Long.class).single()).as("every assignment is in the ledger").isEqualTo(holders);
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'BOL_ORDER_ANSWERED' and target_id = :o").param("o", order.id().toString())
                .query(Long.class).single()).isOne();

        assertThat(orders.whyNotCancellable(order, line)).as("BOL has no cancellation").hasValue("atPublisher");

        // the buyer sees it on the order, in their language
        WebSession web = new WebSession(port).signIn(buyer, PASSWORD);
        String path = "/purchase/orders/" + order.id();
        assertThat(web.get(path + "?lang=sv").body()).contains("Hos förlaget").contains("Levererad").contains(holders + " licensnycklar");
        assertThat(web.get(path + "?lang=da").body()).contains("Hos forlaget").contains("Leveret");
        assertThat(web.get(path + "?lang=en").body()).contains("At the publisher").contains("Delivered");

        // the data protection officer asks the publisher what it holds about a pupil: the licence, at the pupil's school (audited)
        UUID asked = jdbc.sql("select person_id from bol_assignment where line_id = :l order by person_id limit 1").param("l", line.id())
                .query(UUID.class).single();
        List<Connectors.PublisherAnswer> answers = connectors.publisherLicences(asked, "dpo-test");
        assertThat(answers).filteredOn(a -> a.connectorName().equals("BOL direkt")).singleElement().satisfies(a -> {
            assertThat(a.failure()).isNull();
            assertThat(a.licences()).extracting(Connectors.PublisherLicence::articleNumber).contains(article);
            assertThat(a.licences()).extracting(Connectors.PublisherLicence::school).allSatisfy(school -> assertThat(school).contains("skolan"));
        });
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'BOL_PUBLISHER_LICENCES_ASKED' and target_id = :p and actor = 'dpo-test'")
                .param("p", asked.toString()).query(Long.class).single()).isOne();
        String officer = "bol-dpo-" + m.source;
        accounts.create(officer, "Dataskyddsombud", PASSWORD, java.util.EnumSet.of(org.tilldela.governance.AdminRight.DIRECTORY_ADMIN,
                org.tilldela.governance.AdminRight.DATA_PROTECTION_OFFICER), "test");
        WebSession dpo = new WebSession(port).signIn(officer, PASSWORD);
        assertThat(dpo.get("/directory/persons/" + asked + "?lang=sv").body()).contains("Fråga förlagen vad de har om personen (BOL)");
        assertThat(dpo.get("/directory/persons/" + asked + "/publishers?lang=sv").body()).contains("Vad förlagen har").contains(article)
                .contains("Artikel " + article);
        assertThat(web.get("/directory/persons/" + asked + "/publishers").status()).as("a buyer may not ask").isEqualTo(403);

        // an objection towards the publisher takes that pupil's licence back there
        UUID objecting = jdbc.sql("select person_id from licence_assignment where pool_id = :p and state = 'ACTIVE' order by person_id limit 1")
                .param("p", line.poolId()).query(UUID.class).single();
        UUID objection = objections.record(objecting, supplier, "Vårdnadshavaren invänder", "test");
        fx.awaitAssigned(jdbc, line.id(), holders - 1);
        assertThat(jdbc.sql("select count(*) from bol_assignment where person_id = :p and line_id = :l").param("p", objecting).param("l", line.id())
                .query(Long.class).single()).isZero();
        // withdrawn: the pupil's licence is assigned again (and the other tests here, which order for the same class, see no objection)
        objections.withdraw(objection, "test");
        fx.awaitAssigned(jdbc, line.id(), holders);
        assertThat(publisher.violations).isEmpty();
    }

    @Test
    void theAnswerComesLaterToTheResponseUrlWhichRefusesStrangersAndADeliveredLineStaysDelivered() throws Exception {
        publisher.orderMode = BolTestServer.Orders.LATER;
        UUID product = product("Matteboken " + CatalogFixtures.unique());
        connector("BOL senare", product);
        Order order = orders.place(buyer("bol-later"), List.of(new OrderLineRequest(product, List.of(Recipient.group(m.gB)), null, false))).order();
        await().atMost(Duration.ofSeconds(30)).until(() -> delivery(order) != null && delivery(order).status() == LineDelivery.Status.BEING_PROCESSED);
        var request = publisher.orders.getLast();
        assertThat(request.path("clientOrderNumber").asString()).isEqualTo(Long.toString(order.number()));
        String responseUrl = request.path("responseUrl").asString();
        String answer = """
                {"clientId":"x","serviceProviderId":"%s","clientOrderNumber":"%s","orderLines":[{"clientOrderLineId":"%s","articleNumber":"a",
                 "quantity":2,"status":"delivered"}]}""";
        String lineId = order.lines().getFirst().id().toString();

        // a stranger: a wrong secret, another queued order's number in the path — nothing said, nothing changed
        assertThat(publisher.postTo(responseUrl.substring(0, responseUrl.lastIndexOf('/') + 1) + "not-the-secret",
                answer.formatted(publisher.serviceProviderId, order.number(), lineId))).isEqualTo(404);
        String otherOrder = responseUrl.replaceAll("/bol/responses/(\\d+)/", "/bol/responses/999999999/");
        assertThat(publisher.postTo(otherOrder, answer.formatted(publisher.serviceProviderId, order.number(), lineId))).isEqualTo(404);
        // an answer that does not fit the order: refused whole
        assertThat(publisher.postTo(responseUrl, answer.formatted(publisher.serviceProviderId, order.number() + 1, lineId))).isEqualTo(400);
        assertThat(publisher.postTo(responseUrl, answer.formatted(publisher.serviceProviderId, order.number(), UUID.randomUUID()))).isEqualTo(400);
        assertThat(publisher.postTo(responseUrl, answer.formatted("someone.else", order.number(), lineId))).isEqualTo(400);
        // a line that is null, or says neither which line nor how it stands: refused, not a server error
        String head = "{\"clientId\":\"x\",\"serviceProviderId\":\"" + publisher.serviceProviderId + "\",\"clientOrderNumber\":\"" + order.number() + "\",";
        int violationsBefore = publisher.violations.size();
        assertThat(publisher.postTo(responseUrl, head + "\"orderLines\":[null]}")).isEqualTo(400);
        assertThat(publisher.postTo(responseUrl, head + "\"orderLines\":[{\"clientOrderLineId\":\"" + lineId + "\"}]}")).isEqualTo(400);
        // the test publisher's own check of what it sends says the same of these two (sent on purpose here)
        assertThat(publisher.violations.subList(violationsBefore, publisher.violations.size())).hasSize(2);
        publisher.violations.subList(violationsBefore, publisher.violations.size()).clear();
        assertThat(delivery(order).status()).isEqualTo(LineDelivery.Status.BEING_PROCESSED);

        // backordered, then delivered; a late "failed" does not undo the delivery
        assertThat(publisher.deliverLater("backordered")).isEqualTo(204);
        assertThat(delivery(order).status()).isEqualTo(LineDelivery.Status.BACKORDERED);
        assertThat(delivery(order).deliveryDate()).isEqualTo(LocalDate.now().plusDays(14));
        assertThat(publisher.deliverLater("delivered")).isEqualTo(204);
        assertThat(delivery(order).status()).isEqualTo(LineDelivery.Status.DELIVERED);
        assertThat(publisher.deliverLater("failed")).isEqualTo(204);
        assertThat(delivery(order).status()).isEqualTo(LineDelivery.Status.DELIVERED);
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'BOL_ORDER_REPLY' and target_id = :o").param("o", order.id().toString())
                .query(Long.class).single()).isEqualTo(3);
        // delivered later: the licences follow
        await().atMost(Duration.ofSeconds(30)).until(() -> publisher.held().stream().anyMatch(a -> a.get("line").equals(lineId)));
        assertThat(publisher.violations).isEmpty();
    }

    @Test
    void aRefusedOrderIsShownToTheBuyerWithThePublishersReasonAndIsSentAgainByAnAdministrator() throws Exception {
        publisher.orderMode = BolTestServer.Orders.REFUSE;
        UUID product = product("Historieboken " + CatalogFixtures.unique());
        UUID refusing = connector("BOL nej", product);
        String buyer = buyer("bol-refused");
        Order order = orders.place(buyer, List.of(new OrderLineRequest(product, List.of(Recipient.group(m.gB)), null, false))).order();
        await().atMost(Duration.ofSeconds(30)).until(() -> delivery(order) != null && delivery(order).status() == LineDelivery.Status.NOT_SENT);
        assertThat(delivery(order).message()).contains("HTTP 400").contains("not sold to this client");
        assertThat(jdbc.sql("select attempts from bol_order where order_id = :o").param("o", order.id()).query(Integer.class).single())
                .as("a refusal is not retried").isOne();
        WebSession web = new WebSession(port).signIn(buyer, PASSWORD);
        assertThat(web.get("/purchase/orders/" + order.id() + "?lang=sv").body()).contains("Nådde inte förlaget").contains("not sold to this client");
        assertThat(orders.whyNotCancellable(order, order.lines().getFirst())).as("it never reached the publisher").isEmpty();
        // another order refused the same way and then cancelled by the buyer: sent again, nothing of it goes
        Order cancelledLater = orders.place(buyer, List.of(new OrderLineRequest(product, List.of(Recipient.group(m.gB)), null, false))).order();
        await().atMost(Duration.ofSeconds(30)).until(() -> delivery(cancelledLater) != null
                && delivery(cancelledLater).status() == LineDelivery.Status.NOT_SENT);
        orders.cancel(cancelledLater.id(), null, buyer);
        assertThat(connectors.sendOrderAgain(refusing, cancelledLater.id(), "admin")).isTrue();
        assertThat(delivery(cancelledLater).status()).as("the cancelled line is not shown as queued again").isEqualTo(LineDelivery.Status.NOT_SENT);
        await().atMost(Duration.ofSeconds(30)).until(() -> "SENT".equals(jdbc.sql("select state from bol_order where order_id = :o")
                .param("o", cancelledLater.id()).query(String.class).single()));
        assertThat(publisher.orderNumbersSeen).as("asked once, refused; nothing sent for the cancelled line")
                .filteredOn(n -> n.equals(Long.toString(cancelledLater.number()))).hasSize(1);

        // the publisher is down for a while: retried, not lost
        publisher.orderMode = BolTestServer.Orders.DOWN;
        int before = publisher.requests.get();
        assertThat(connectors.sendOrderAgain(refusing, order.id(), "admin")).isTrue();
        assertThat(connectors.sendOrderAgain(refusing, order.id(), "admin")).as("queued already: not a dead letter").isFalse();
        await().atMost(Duration.ofSeconds(30)).until(() -> publisher.requests.get() > before
                && jdbc.sql("select last_error from bol_order where order_id = :o").param("o", order.id()).query(String.class).optional()
                .filter(e -> e.contains("HTTP 503")).isPresent());
        assertThat(delivery(order).status()).isEqualTo(LineDelivery.Status.QUEUED);
        publisher.orderMode = BolTestServer.Orders.DELIVER;
        jdbc.sql("update provisioning_connector set backoff_until = null where id = :c").param("c", refusing).update();
        jdbc.sql("update bol_order set not_before = now() where order_id = :o").param("o", order.id()).update();
        await().atMost(Duration.ofSeconds(30)).until(() -> delivery(order).status() == LineDelivery.Status.DELIVERED);
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'BOL_ORDER_SENT_AGAIN' and target_id = :o").param("o", order.id().toString())
                .query(Long.class).single()).isOne();
        assertThat(publisher.violations).isEmpty();
    }

    @Test
    void thePublishersOwnFiguresReachTheUtilisationPagePerUserWhereOfferedElsePerSchoolUnit() throws Exception {
        publisher.orderMode = BolTestServer.Orders.DELIVER;
        publisher.perUser = true;
        UUID product = product("Engelskaboken " + CatalogFixtures.unique());
        UUID counting = connector("BOL statistik", product);
        String buyer = buyer("bol-figures");
        Order order = orders.place(buyer, List.of(new OrderLineRequest(product, List.of(Recipient.group(m.gB)), null, false))).order();
        String lineId = order.lines().getFirst().id().toString();
        long holders = jdbc.sql("select count(*) from licence_assignment where pool_id = :p and state = 'ACTIVE'").param("p", order.lines().getFirst().poolId())
                .query(Long.class).single();
        fx.awaitAssigned(jdbc, order.lines().getFirst().id(), holders);
        publisher.used.add(publisher.held().stream().filter(a -> a.get("line").equals(lineId)).findFirst().orElseThrow().get("userId"));

        Connectors.StatisticsFetched perUser = connectors.fetchStatistics(counting, "admin");
        assertThat(perUser.method()).isEqualTo("PER_USER");
        record Figure(String method, Integer total, int assigned, Integer unassigned, Integer used, UUID unit) {
        }
        java.util.function.Supplier<List<Figure>> figures = () -> jdbc.sql("""
                        select method, total, assigned, unassigned, used, organisation_id from publisher_figures where source_id = :c and product_id = :p
                        """).param("c", counting).param("p", product)
                .query((rs, n) -> new Figure(rs.getString(1), rs.getObject(2, Integer.class), rs.getInt(3), rs.getObject(4, Integer.class),
                        rs.getObject(5, Integer.class), rs.getObject(6, UUID.class))).list();
        assertThat(figures.get()).singleElement().satisfies(f -> {
            assertThat(f.method()).isEqualTo("PER_USER");
            assertThat(f.assigned()).isEqualTo(holders);
            assertThat(f.used()).isOne();
            assertThat(f.unassigned()).isZero();
            assertThat(f.total()).isEqualTo(holders);
            assertThat(f.unit()).as("placed at the school unit in Tilldela").isIn(m.schoolA, m.schoolB);
        });
        WebSession web = new WebSession(port).signIn(buyer, PASSWORD);
        assertThat(web.get("/utilisation?lang=en&product=" + product).body()).contains("As the publishers report it").contains("per user");

        // a publisher without the per-user listing: its totals per school unit, and the page says so
        publisher.perUser = false;
        assertThat(connectors.fetchStatistics(counting, "admin").method()).isEqualTo("PER_SCHOOL_UNIT");
        assertThat(figures.get()).singleElement().satisfies(f -> {
            assertThat(f.method()).isEqualTo("PER_SCHOOL_UNIT");
            assertThat(f.assigned()).isEqualTo(holders);
            assertThat(f.used()).isOne();
        });
        assertThat(web.get("/utilisation?lang=sv&product=" + product).body()).contains("Som förlagen rapporterar det").contains("bara per skolenhet");
        assertThat(web.get("/utilisation?lang=da&product=" + product).body()).contains("Som forlagene rapporterer det").contains("kun pr. skoleenhed");
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'BOL_STATISTICS_FETCHED' and target_id = :c").param("c", counting.toString())
                .query(Long.class).single()).isEqualTo(2);
        assertThat(publisher.violations).isEmpty();
    }

    @Test
    void overMutualTlsOnlyTheTrustedClientCertificateGetsTheOrderThrough() throws Exception {
        org.tilldela.platform.TestCertificates.Authority federation = new org.tilldela.platform.TestCertificates.Authority("Federation CA");
        org.tilldela.platform.TestCertificates.Authority stranger = new org.tilldela.platform.TestCertificates.Authority("Another CA");
        var client = federation.client("tilldela");
        var strangersClient = stranger.client("tilldela");
        try (BolTestServer tlsPublisher = new BolTestServer(org.tilldela.platform.TestCertificates.serverContext(federation.server(), federation))) {
            UUID trustedProduct = product("Fysikboken " + CatalogFixtures.unique());
            UUID strangerProduct = product("Kemiboken " + CatalogFixtures.unique());
            connectors.create(mutualTls(tlsPublisher, "BOL mTLS", trustedProduct, client.certificatePem(), client.keyPem(), federation.pem()), "test");
            connectors.create(mutualTls(tlsPublisher, "BOL främling", strangerProduct, strangersClient.certificatePem(), strangersClient.keyPem(),
                    federation.pem()), "test");
            String buyer = buyer("bol-mtls");
            Order trusted = orders.place(buyer, List.of(new OrderLineRequest(trustedProduct, List.of(Recipient.group(m.gB)), null, false))).order();
            Order refused = orders.place(buyer, List.of(new OrderLineRequest(strangerProduct, List.of(Recipient.group(m.gB)), null, false))).order();
            await().atMost(Duration.ofSeconds(30)).until(() -> delivery(trusted) != null && delivery(trusted).status() == LineDelivery.Status.DELIVERED);
            await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql("select last_error from bol_order where order_id = :o").param("o", refused.id())
                    .query(String.class).optional().filter(e -> !e.isBlank()).isPresent());
            assertThat(delivery(refused).status()).as("a refused handshake is tried again, not lost").isEqualTo(LineDelivery.Status.QUEUED);
            assertThat(tlsPublisher.orders).singleElement().satisfies(o -> assertThat(o.path("clientOrderNumber").asString())
                    .isEqualTo(Long.toString(trusted.number())));
            assertThat(tlsPublisher.violations).isEmpty();
        }
    }

    /**
     * A BOL connector over mutual TLS set up in the connector pages (the certificate, its key and the server's CA pasted),
     * not only through the API: refused next to the key when the key is not the certificate's, nothing kept; then set
     * up, an order gets through; changed without them given again, they are kept and the next order gets through.
     */
    @Test
    void aConnectorOverMutualTlsIsSetUpAndChangedInThePages() throws Exception {
        org.tilldela.platform.TestCertificates.Authority federation = new org.tilldela.platform.TestCertificates.Authority("Federation CA");
        var client = federation.client("tilldela");
        var other = federation.client("another");
        try (BolTestServer tlsPublisher = new BolTestServer(org.tilldela.platform.TestCertificates.serverContext(federation.server(), federation))) {
            UUID product = product("Biologiboken " + CatalogFixtures.unique());
            String admin = "bol-pages-" + CatalogFixtures.unique();
            accounts.create(admin, "Kopplingar", "bol-pages-password-1", java.util.EnumSet.of(org.tilldela.governance.AdminRight.ACCESS_ADMIN), "test");
            org.tilldela.WebSession session = new org.tilldela.WebSession(port).signIn(admin, "bol-pages-password-1");
            String blank = session.get("/provisioning/connectors/new?lang=sv&supplier=" + supplier).body();
            assertThat(blank).contains("Klientcertifikat (ömsesidig TLS)", "id=\"clientCertificate\"", "id=\"clientKey\"", "id=\"serverCa\"");
            String name = "BOL certifikat " + CatalogFixtures.unique();

            var refused = session.post("/provisioning/connectors", bolForm(blank, "/provisioning/connectors", name, tlsPublisher, product,
                    client.certificatePem(), other.keyPem(), federation.pem()));
            assertThat(refused.status()).isEqualTo(200);
            // what was pasted is never sent back (the hints name the PEM headers, so the key's and certificate's contents are looked for)
            String keyLine = other.keyPem().lines().skip(1).findFirst().orElseThrow();
            String certificateLine = client.certificatePem().lines().skip(1).findFirst().orElseThrow();
            assertThat(refused.body()).contains("Den privata nyckeln hör inte till klientcertifikatet.").doesNotContain(keyLine, certificateLine);
            assertThat(jdbc.sql("select count(*) from provisioning_connector where name = :n").param("n", name).query(Long.class).single()).isZero();

            var made = session.post("/provisioning/connectors", bolForm(blank, "/provisioning/connectors", name, tlsPublisher, product,
                    client.certificatePem(), client.keyPem(), federation.pem()));
            assertThat(made.status()).as(made.body()).isEqualTo(302);
            UUID id = UUID.fromString(made.location().substring(made.location().lastIndexOf('/') + 1));
            Connector stored = connectors.get(id).orElseThrow();
            assertThat(stored.auth()).isEqualTo(Connector.Auth.MUTUAL_TLS);
            assertThat(stored.profile()).isEqualTo(Connector.Profile.BOL);
            assertThat(stored.serverCaGiven()).isTrue();
            assertThat(session.get("/provisioning/connectors/" + id + "?lang=en").body()).contains("Client certificate (mutual TLS)")
                    .doesNotContain("BEGIN", "??");
            String buyer = buyer("bol-pages");
            Order first = orders.place(buyer, List.of(new OrderLineRequest(product, List.of(Recipient.group(m.gB)), null, false))).order();
            await().atMost(Duration.ofSeconds(30)).until(() -> delivery(first) != null && delivery(first).status() == LineDelivery.Status.DELIVERED);

            // changed in the form, nothing pasted: certificate, key and CA kept, and the next order gets through
            String edit = session.get("/provisioning/connectors/" + id + "/edit?lang=en").body();
            assertThat(edit).contains("A client certificate and its key are stored (not shown).", "A CA certificate is stored")
                    .doesNotContain(client.keyPem().lines().skip(1).findFirst().orElseThrow(), certificateLine);
            var changed = session.post("/provisioning/connectors/" + id, bolForm(edit, "/provisioning/connectors/" + id, name + ", omdöpt", tlsPublisher,
                    product, "", "", ""));
            assertThat(changed.status()).as(changed.body()).isEqualTo(302);
            assertThat(connectors.get(id).orElseThrow().name()).isEqualTo(name + ", omdöpt");
            Order second = orders.place(buyer, List.of(new OrderLineRequest(product, List.of(Recipient.group(m.gB)), null, false))).order();
            await().atMost(Duration.ofSeconds(30)).until(() -> delivery(second) != null && delivery(second).status() == LineDelivery.Status.DELIVERED);
            assertThat(tlsPublisher.orders).hasSize(2);
            assertThat(tlsPublisher.violations).isEmpty();
        }
    }

    private List<java.util.Map.Entry<String, String>> bolForm(String page, String action, String name, BolTestServer server, UUID product,
                                                               String certificate, String key, String serverCa) {
        List<java.util.Map.Entry<String, String>> fields = new java.util.ArrayList<>(org.tilldela.WebSession.toList(
                org.tilldela.WebSession.hiddenFields(page, action)));
        fields.addAll(List.of(java.util.Map.entry("name", name), java.util.Map.entry("baseUrl", server.baseUrl()), java.util.Map.entry("profile", "BOL"),
                java.util.Map.entry("serviceProviderId", server.serviceProviderId), java.util.Map.entry("auth", "MUTUAL_TLS"),
                java.util.Map.entry("clientCertificate", certificate), java.util.Map.entry("clientKey", key), java.util.Map.entry("serverCa", serverCa),
                java.util.Map.entry("products", product.toString()), java.util.Map.entry("enabled", "true")));
        return fields;
    }

    @Test
    void aBundlesDigitalPartIsActivatedNotOrderedAndItsLicencesFollow() throws Exception {
        publisher.orderMode = BolTestServer.Orders.DELIVER;
        Product bundle = CatalogFixtures.digital(catalog.supplier(supplier).orElseThrow(), "Hybridboken " + CatalogFixtures.unique(), "", List.of("Svenska"),
                org.tilldela.catalog.Attribute.PSEUDONYMOUS_ID, org.tilldela.catalog.Attribute.SCHOOL_UNIT);
        bundle = new Product(bundle.id(), bundle.articleNumber(), bundle.supplierId(), bundle.title(), bundle.description(), Product.Kind.BUNDLE,
                bundle.schoolForms(), bundle.grades(), bundle.subjects(), bundle.licenceModel(), bundle.licencePeriodMonths(), bundle.price(),
                bundle.currency(), bundle.trialDays(), bundle.accessMethod(), bundle.dataNeeds());
        catalog.save(bundle);
        UUID plain = product("Vanliga boken " + CatalogFixtures.unique());
        connector("BOL hybrid", bundle.id(), plain);
        Order order = orders.place(buyer("bol-hybrid"), List.of(new OrderLineRequest(bundle.id(), List.of(Recipient.group(m.gB)), null, false),
                new OrderLineRequest(plain, List.of(Recipient.group(m.gB)), null, false))).order();
        UUID bundleId = bundle.id();
        Order.Line hybrid = order.lines().stream().filter(l -> l.productId().equals(bundleId)).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(30)).until(() -> deliveries.ofOrder(order.id()).values().stream()
                .filter(d -> d.status() == LineDelivery.Status.DELIVERED).count() == 2);
        var activation = publisher.activations.stream().filter(a -> a.path("clientOrderReference").asString().equals(Long.toString(order.number())))
                .toList();
        assertThat(activation).as("the bundle is activated").singleElement().satisfies(a -> {
            assertThat(a.path("clientActivationId").asString()).isEqualTo(order.number() + "-A");
            assertThat(a.path("activationLines")).hasSize(1);
            assertThat(a.path("activationLines").get(0).path("clientOrderLineId").asString()).isEqualTo(hybrid.id().toString());
        });
        var ordered = publisher.orders.stream().filter(o -> o.path("clientOrderNumber").asString().equals(Long.toString(order.number()))).toList();
        assertThat(ordered).as("the plain book is ordered, without the bundle").singleElement()
                .satisfies(o -> assertThat(o.path("orderLines")).hasSize(1));
        long holders = jdbc.sql("select count(*) from licence_assignment where pool_id = :p and state = 'ACTIVE'").param("p", hybrid.poolId())
                .query(Long.class).single();
        assertThat(deliveries.ofOrder(order.id()).get(hybrid.id()).licenceKeys()).as("two digital parts, a key each per seat").isEqualTo(2 * holders);
        fx.awaitAssigned(jdbc, hybrid.id(), holders);
        assertThat(publisher.violations).isEmpty();
    }

    private Connector.Settings mutualTls(BolTestServer server, String name, UUID product, String certificate, String key, String serverCa) {
        return new Connector.Settings(supplier, name, server.baseUrl(), Connector.Auth.MUTUAL_TLS, null, null, null, null, null, List.of(product), true,
                null, null, Connector.Profile.BOL, certificate, key, serverCa, server.serviceProviderId);
    }
}
