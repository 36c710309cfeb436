package org.tilldela.purchase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AuditTrail;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.Licences;

/**
 * Purchase on real PostgreSQL: recipients inside the buyer's scope only, the privacy preview's counts,
 * every outcome of the compliance gate, the data protection officer's approval, and placed orders
 * becoming licence pools — with trials that end by themselves and a shortfall the buyer is told about.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PurchaseTest extends IntegrationTest {

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired AdminAccounts accounts;
    @Autowired BuyerScopes scopes;
    @Autowired Recipients recipients;
    @Autowired Orders orders;
    @Autowired Cart cart;
    @Autowired ComplianceGate gate;
    @Autowired AdequacyList adequacy;
    @Autowired DataPolicies policies;
    @Autowired LicencePools pools;
    @Autowired Licences licences;
    @Autowired AuditTrail audit;

    PurchaseFixture fx;
    String buyer;
    UUID agreed;
    UUID product;

    @BeforeAll
    void setUp() throws Exception {
        fx = new PurchaseFixture(imports, jdbc, catalog);
        buyer = fx.buyer(accounts, scopes, "buyer", fx.schoolId);
        agreed = fx.supplier("Läromedel med avtal", true, List.of());
        product = fx.product(agreed, "Digital matematik", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
    }

    @Test
    void recipientsResolveToPersonsInsideTheScopeOnly() {
        BuyerScope scope = scopes.require(buyer);
        Recipients.Resolution classes = recipients.resolve(scope, List.of(Recipient.group(fx.group("c-7a")), Recipient.group(fx.group("c-7b"))));
        // the pupils of both classes and their teacher, once
        assertThat(classes.persons()).containsExactlyInAnyOrderElementsOf(fx.persons("p1", "p2", "p3", "p4", "p5", "p6", "p7", "t1"));
        assertThat(recipients.resolve(scope, List.of(Recipient.gradeAtUnit(fx.schoolId, "07"))).persons())
                .containsExactlyInAnyOrderElementsOf(fx.persons("p1", "p2", "p3", "p4", "p5", "p6", "p7"));
        assertThat(recipients.resolve(scope, List.of(Recipient.roleAtUnit(fx.schoolId, "TEACHER"))).persons()).containsExactly(fx.person("t1"));
        assertThat(recipients.resolve(scope, List.of(Recipient.allPupilsAtUnit(fx.schoolId))).persons()).hasSize(9);

        assertThatThrownBy(() -> recipients.resolve(scope, List.of(Recipient.group(fx.group("c-9a")))))
                .isInstanceOf(RecipientsRefused.class).hasMessageContaining("9A").hasMessageContaining("outside");
        assertThatThrownBy(() -> recipients.resolve(scope, List.of(Recipient.person(fx.person("p10")))))
                .isInstanceOf(RecipientsRefused.class).hasMessageContaining("not placed at");
        assertThatThrownBy(() -> recipients.resolve(scope, List.of(Recipient.allPupilsAtUnit(fx.otherSchoolId))))
                .isInstanceOf(RecipientsRefused.class).hasMessageContaining("outside");
        // the whole organiser is above a school's scope
        assertThatThrownBy(() -> recipients.resolve(scope, List.of(Recipient.unit(fx.organiserId, "PUPIL")))).isInstanceOf(RecipientsRefused.class);
        // and nothing is ordered for anyone outside
        assertThatThrownBy(() -> orders.place(buyer, List.of(new OrderLineRequest(product, List.of(Recipient.group(fx.group("c-9a"))), null, false))))
                .isInstanceOf(RecipientsRefused.class);
    }

    @Test
    void aBuyerWithoutScopeCannotOrder() {
        String noScope = fx.buyer(accounts, scopes, "noscope", null);
        assertThatThrownBy(() -> orders.place(noScope, List.of(new OrderLineRequest(product, List.of(Recipient.group(fx.group("c-7a"))), null, false))))
                .isInstanceOf(NoBuyerScope.class).hasMessageContaining("no buyer scope");
        assertThatThrownBy(() -> cart.add(noScope, product, null, false)).isInstanceOf(NoBuyerScope.class);
    }

    @Test
    void thePreviewCountsProtectedPersonsApartAndTheyGetAPseudonymOnly() {
        Quote quote = orders.quote(buyer, List.of(new OrderLineRequest(product, List.of(Recipient.group(fx.group("c-7a"))), null, false)));
        PrivacyPreview preview = quote.lines().getFirst().preview();
        assertThat(preview.persons()).isEqualTo(5); // p1–p4 and t1
        assertThat(preview.protectedPersons()).isEqualTo(1); // p1
        assertThat(preview.supplierName()).contains("Läromedel med avtal");
        assertThat(preview.processingCountries()).containsExactly("SE");
        PrivacyPreview.AttributeReach pseudonym = preview.attributes().stream().filter(a -> a.attribute() == Attribute.PSEUDONYMOUS_ID).findFirst().orElseThrow();
        assertThat(pseudonym.persons()).isEqualTo(5);
        assertThat(pseudonym.retentionDays()).isEqualTo(30);
        // names never reach the supplier about the protected pupil
        PrivacyPreview.AttributeReach given = preview.attributes().stream().filter(a -> a.attribute() == Attribute.GIVEN_NAME).findFirst().orElseThrow();
        assertThat(given.persons()).isLessThanOrEqualTo(preview.persons() - preview.protectedPersons());
        assertThat(quote.lines().getFirst().seats()).isEqualTo(5);
    }

    @Test
    void theGateBlocksWithoutAProcessingAgreement() {
        UUID without = fx.supplier("Utan avtal", false, List.of());
        Product p = catalog.product(fx.product(without, "Engelska", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null)).orElseThrow();
        Verdict v = gate.check(p, catalog.supplier(without).orElseThrow(), fx.organiserId, LocalDate.now());
        assertThat(v.outcome()).isEqualTo(Verdict.Outcome.BLOCKED);
        assertThat(v.reasons()).extracting(Verdict.Reason::code).containsExactly("noProcessingAgreement");

        Orders.Placement placement = orders.place(buyer, List.of(new OrderLineRequest(p.id(), List.of(Recipient.group(fx.group("c-7a"))), null, false)));
        assertThat(placement.blocked()).isTrue();
        assertThat(pools.ofProduct(p.id())).isEmpty();
        assertThat(licences.holds(fx.person("p2"), p.id(), LocalDate.now())).isFalse();
    }

    @Test
    void theGateBlocksProcessingInACountryWithoutAValidAdequacyDecision() {
        UUID us = fx.supplier("Med amerikanskt moln", true, List.of(new Supplier.SubProcessor("Moln Inc.", "US", "drift")));
        Product p = catalog.product(fx.product(us, "Kemi", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null)).orElseThrow();
        Supplier s = catalog.supplier(us).orElseThrow();
        // before the EU-US Data Privacy Framework (2023-07-10) the United States had no adequacy decision
        Verdict before = gate.check(p, s, fx.organiserId, LocalDate.of(2022, 6, 1));
        assertThat(before.outcome()).isEqualTo(Verdict.Outcome.BLOCKED);
        assertThat(before.reasons()).filteredOn(r -> r.code().equals("thirdCountry")).singleElement().satisfies(r -> {
            assertThat(r.code()).isEqualTo("thirdCountry");
            assertThat(r.args()).containsExactly("US", "Moln Inc.");
        });
        assertThat(gate.check(p, s, fx.organiserId, LocalDate.now()).outcome()).isEqualTo(Verdict.Outcome.OK);

        // a country with no entry blocks until the data protection officer adds one
        String code = "IN";
        UUID in = fx.supplier("Med indiskt underbiträde", true, List.of(new Supplier.SubProcessor("Support Pvt", code, "support")));
        Product p2 = catalog.product(fx.product(in, "Biologi", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null)).orElseThrow();
        Supplier s2 = catalog.supplier(in).orElseThrow();
        try {
            assertThat(gate.check(p2, s2, fx.organiserId, LocalDate.now()).outcome()).isEqualTo(Verdict.Outcome.BLOCKED);
            adequacy.save(new AdequacyEntry(code, "India (test)", AdequacyEntry.Basis.ADEQUACY_DECISION, "test decision", LocalDate.now(),
                    LocalDate.now().minusDays(1), null, null, "dpo", null), "dpo-" + fx.tag);
            assertThat(gate.check(p2, s2, fx.organiserId, LocalDate.now()).outcome()).isEqualTo(Verdict.Outcome.OK);
            assertThat(audit.about("adequacy_country", code)).extracting(AuditTrail.Entry::action).contains("ADEQUACY_ENTRY_SAVED");
        } finally {
            adequacy.remove(code, "dpo-" + fx.tag);
        }
        assertThat(gate.check(p2, s2, fx.organiserId, LocalDate.now()).outcome()).isEqualTo(Verdict.Outcome.BLOCKED);
        assertThat(audit.about("adequacy_country", code)).extracting(AuditTrail.Entry::action).contains("ADEQUACY_ENTRY_REMOVED");
    }

    @Test
    void aCivicNumberNeedsTheDataProtectionOfficerAndAPrintedBookPasses() {
        Product civic = catalog.product(fx.product(agreed, "Nationella prov", Product.Kind.DIGITAL,
                EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.CIVIC_NUMBER), null)).orElseThrow();
        Verdict v = gate.check(civic, catalog.supplier(agreed).orElseThrow(), fx.organiserId, LocalDate.now());
        assertThat(v.outcome()).isEqualTo(Verdict.Outcome.NEEDS_DPO_APPROVAL);
        assertThat(v.reasons()).singleElement().satisfies(r -> assertThat(r.attributes()).containsExactly(Attribute.CIVIC_NUMBER));

        // a printed book from a supplier without any agreement needs none of it
        UUID printer = fx.supplier("Tryckeri", false, List.of());
        Product book = catalog.product(fx.product(printer, "Matte 7 grundbok", Product.Kind.PRINTED_PAPERBACK, Set.of(), null)).orElseThrow();
        Verdict printed = gate.check(book, catalog.supplier(printer).orElseThrow(), fx.organiserId, LocalDate.now());
        assertThat(printed.outcome()).isEqualTo(Verdict.Outcome.OK);
        assertThat(printed.reasons()).extracting(Verdict.Reason::code).containsExactly("noPersonalData");
        Orders.Placement placed = orders.place(buyer, List.of(new OrderLineRequest(book.id(), List.of(), 30, false)));
        assertThat(placed.order().status()).isEqualTo(Order.Status.PLACED);
        assertThat(placed.order().lines().getFirst().seats()).isEqualTo(30);
        assertThat(placed.order().lines().getFirst().poolId()).isNull(); // delivered, not licensed

        // the organiser's policy decides: allowing the civic number lets the order through
        UUID other = UUID.randomUUID();
        assertThat(policies.of(other).isDefault()).isTrue();
        assertThat(policies.of(other).allowed()).contains(Attribute.GIVEN_NAME).doesNotContain(Attribute.CIVIC_NUMBER);
    }

    @Test
    void anOrderCreatesPoolsAndThePickedPupilsHaveLicences() {
        UUID product = fx.product(agreed, "Digital historia", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        Orders.Placement placement = orders.place(buyer, List.of(new OrderLineRequest(product,
                List.of(Recipient.group(fx.group("c-7a")), Recipient.gradeAtUnit(fx.schoolId, "08")), null, false)));
        Order order = placement.order();
        assertThat(order.status()).isEqualTo(Order.Status.PLACED);
        Order.Line line = order.lines().getFirst();
        assertThat(line.poolId()).isNotNull();
        assertThat(line.unitPrice()).isEqualByComparingTo("99.00");
        assertThat(line.seats()).isEqualTo(7); // p1–p4, t1, p8, p9
        LicencePools.Pool pool = pools.pool(line.poolId()).orElseThrow();
        assertThat(pool.orderLineId()).isEqualTo(line.id());
        assertThat(pool.scopeId()).isEqualTo(fx.schoolId);
        for (UUID pupil : fx.persons("p1", "p2", "p3", "p4", "p8", "p9")) {
            assertThat(licences.holds(pupil, product, LocalDate.now())).as("pupil holds").isTrue();
        }
        assertThat(licences.holds(fx.person("p5"), product, LocalDate.now())).isFalse();
        assertThat(orders.fulfilment(order)).singleElement().satisfies(f -> assertThat(f.withoutSeat()).isEmpty());
        assertThat(audit.about("purchase_order", order.id().toString())).extracting(AuditTrail.Entry::action).contains("ORDER_PLACED");
        assertThat(orders.order(order.id()).orElseThrow().lines().getFirst().recipients()).hasSize(2);
    }

    @Test
    void whenSeatsRunOutTheBuyerIsToldWhoIsLeftWithout() {
        UUID p = fx.product(agreed, "Svenska", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        Order order = orders.place(buyer, List.of(new OrderLineRequest(p, List.of(Recipient.group(fx.group("c-7b"))), 2, false))).order();
        List<Orders.Fulfilment> f = orders.fulfilment(order);
        assertThat(f).singleElement().satisfies(x -> {
            assertThat(x.pool().seatsUsed()).isEqualTo(2);
            assertThat(x.withoutSeat()).hasSize(2); // 7B: three pupils and a teacher, two seats
            assertThat(fx.persons("p5", "p6", "p7", "t1")).containsAll(x.withoutSeat());
        });
    }

    @Test
    void aTrialEndsByItself() {
        UUID p = fx.product(agreed, "Prova på fysik", Product.Kind.DIGITAL, PurchaseFixture.SMALL, 14);
        Order order = orders.place(buyer, List.of(new OrderLineRequest(p, List.of(Recipient.group(fx.group("c-8a"))), null, true))).order();
        Order.Line line = order.lines().getFirst();
        assertThat(line.trial()).isTrue();
        assertThat(line.unitPrice()).isEqualByComparingTo("0");
        LicencePools.Pool pool = pools.pool(line.poolId()).orElseThrow();
        assertThat(pool.trial()).isTrue();
        assertThat(pool.endsOn()).isEqualTo(LocalDate.now().plusDays(13));
        UUID pupil = fx.person("p8");
        assertThat(licences.holds(pupil, p, LocalDate.now())).isTrue();
        assertThat(licences.holds(pupil, p, LocalDate.now().plusDays(13))).isTrue();
        assertThat(licences.holds(pupil, p, LocalDate.now().plusDays(14))).isFalse();
        // a product without a trial has none to order
        assertThatThrownBy(() -> orders.place(buyer, List.of(new OrderLineRequest(product, List.of(Recipient.group(fx.group("c-8a"))), null, true))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no trial");
    }

    @Test
    void anOrderBeyondThePolicyWaitsForTheDataProtectionOfficer() {
        UUID civic = fx.product(agreed, "Skolval", Product.Kind.DIGITAL, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.CIVIC_NUMBER), null);
        Order held = orders.place(buyer, List.of(new OrderLineRequest(civic, List.of(Recipient.group(fx.group("c-7a"))), null, false))).order();
        assertThat(held.status()).isEqualTo(Order.Status.AWAITING_APPROVAL);
        assertThat(held.approval().pending()).isTrue();
        assertThat(held.approval().attributes()).containsExactly(Attribute.CIVIC_NUMBER);
        assertThat(held.lines().getFirst().poolId()).isNull();
        assertThat(licences.holds(fx.person("p2"), civic, LocalDate.now())).isFalse();
        assertThat(orders.awaitingApproval()).extracting(Order::id).contains(held.id());

        assertThatThrownBy(() -> orders.decline(held.id(), "dpo", " ")).isInstanceOf(IllegalArgumentException.class);
        Order approved = orders.approve(held.id(), "dpo-" + fx.tag);
        assertThat(approved.status()).isEqualTo(Order.Status.PLACED);
        assertThat(approved.approval().state()).isEqualTo("APPROVED");
        assertThat(approved.lines().getFirst().poolId()).isNotNull();
        assertThat(licences.holds(fx.person("p2"), civic, LocalDate.now())).isTrue();
        assertThatThrownBy(() -> orders.approve(held.id(), "dpo")).isInstanceOf(IllegalStateException.class);
        assertThat(audit.about("purchase_order", held.id().toString())).extracting(AuditTrail.Entry::action)
                .contains("ORDER_HELD_FOR_APPROVAL", "ORDER_APPROVED");

        Order second = orders.place(buyer, List.of(new OrderLineRequest(civic, List.of(Recipient.group(fx.group("c-7b"))), null, false))).order();
        Order declined = orders.decline(second.id(), "dpo-" + fx.tag, "Personnummer behövs inte för övningsuppgifter.");
        assertThat(declined.status()).isEqualTo(Order.Status.DECLINED);
        assertThat(declined.approval().reason()).contains("Personnummer");
        assertThat(licences.holds(fx.person("p5"), civic, LocalDate.now())).isFalse();
        assertThat(audit.about("purchase_order", second.id().toString())).extracting(AuditTrail.Entry::action).contains("ORDER_DECLINED");

        // with the civic number in the organiser's policy the same order goes straight through
        String actor = "dpo-" + fx.tag;
        try {
            policies.set(fx.organiserId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.CIVIC_NUMBER), actor);
            Order direct = orders.place(buyer, List.of(new OrderLineRequest(civic, List.of(Recipient.group(fx.group("c-8a"))), null, false))).order();
            assertThat(direct.status()).isEqualTo(Order.Status.PLACED);
            assertThat(audit.about("organiser_data_policy", fx.organiserId.toString())).extracting(AuditTrail.Entry::action).contains("DATA_POLICY_SET");
        } finally {
            policies.reset(fx.organiserId, actor);
        }
    }

    @Test
    void theCartChecksOutIntoAnOrder() {
        String cartBuyer = fx.buyer(accounts, scopes, "cart", fx.schoolId);
        UUID line = cart.add(cartBuyer, product, null, false);
        cart.addRecipients(cartBuyer, line, List.of(Recipient.group(fx.group("c-7b"))));
        assertThatThrownBy(() -> cart.addRecipients(cartBuyer, line, List.of(Recipient.group(fx.group("c-9a"))))).isInstanceOf(RecipientsRefused.class);
        assertThat(cart.lines(cartBuyer)).singleElement().satisfies(l -> assertThat(l.recipients()).hasSize(1));
        Orders.Placement placement = cart.checkout(cartBuyer);
        assertThat(placement.order().status()).isEqualTo(Order.Status.PLACED);
        assertThat(cart.lines(cartBuyer)).isEmpty();
        assertThat(licences.holds(fx.person("p6"), product, LocalDate.now())).isTrue();
    }

    @Autowired javax.sql.DataSource dataSource;

    /**
     * A line added in another tab while a checkout is under way is not ordered, and not lost either: it stays in the cart.
     * The checkout is held at its lock of the cart's lines (a third transaction holds them) while the line is added.
     */
    @Test
    void aLineAddedDuringACheckoutStaysInTheCart() throws Exception {
        String cartBuyer = fx.buyer(accounts, scopes, "tabs", fx.schoolId);
        UUID another = fx.product(agreed, "Digital fysik", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        UUID line = cart.add(cartBuyer, product, null, false);
        cart.addRecipients(cartBuyer, line, List.of(Recipient.group(fx.group("c-7b"))));
        java.util.concurrent.CompletableFuture<Orders.Placement> checkout;
        UUID added;
        try (java.sql.Connection other = dataSource.getConnection()) {
            other.setAutoCommit(false);
            try (var lock = other.prepareStatement("select id from cart_line where buyer = ? for update")) {
                lock.setString(1, cartBuyer);
                lock.executeQuery().close();
            }
            checkout = java.util.concurrent.CompletableFuture.supplyAsync(() -> cart.checkout(cartBuyer));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> jdbc.sql(
                    "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like 'select id from cart_line%'").query(Integer.class).single() > 0);
            added = cart.add(cartBuyer, another, null, false);
            other.commit();
        }
        assertThat(checkout.get(30, java.util.concurrent.TimeUnit.SECONDS).order().lines()).singleElement()
                .satisfies(l -> assertThat(l.productId()).isEqualTo(product));
        assertThat(cart.lines(cartBuyer)).extracting(CartLine::id).containsExactly(added);
    }

    /** Two checkouts of one cart at once (two tabs): one order, and the second is told the cart is empty. */
    @Test
    void twoCheckoutsOfOneCartAtOncePlaceOneOrder() throws Exception {
        String cartBuyer = fx.buyer(accounts, scopes, "twice", fx.schoolId);
        UUID line = cart.add(cartBuyer, product, null, false);
        cart.addRecipients(cartBuyer, line, List.of(Recipient.group(fx.group("c-7b"))));
        java.util.List<java.util.concurrent.CompletableFuture<Object>> both = new java.util.ArrayList<>();
        try (java.sql.Connection other = dataSource.getConnection()) {
            // a third transaction holds the cart's line: both checkouts are under way, neither has finished
            other.setAutoCommit(false);
            try (var lock = other.prepareStatement("select id from cart_line where buyer = ? for update")) {
                lock.setString(1, cartBuyer);
                lock.executeQuery().close();
            }
            for (int i = 0; i < 2; i++) {
                both.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return cart.checkout(cartBuyer);
                    } catch (RuntimeException e) {
                        return e;
                    }
                }));
            }
            Thread.sleep(500);
            other.commit();
        }
        List<Object> outcomes = new java.util.ArrayList<>();
        for (var f : both) {
            outcomes.add(f.get(30, java.util.concurrent.TimeUnit.SECONDS));
        }
        assertThat(outcomes).filteredOn(o -> o instanceof Orders.Placement).hasSize(1);
        assertThat(outcomes).filteredOn(o -> o instanceof IllegalArgumentException).singleElement()
                .satisfies(e -> assertThat(((Exception) e).getMessage()).contains("at least one line"));
        assertThat(jdbc.sql("select count(*) from purchase_order where buyer = :b").param("b", cartBuyer).query(Long.class).single()).isEqualTo(1);
    }
}
