package org.tilldela.purchase;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
import org.tilldela.licensing.Licences;

/**
 * Buying for a class (issue 13): ticking a class takes its pupils, its teachers only when ticked for themselves; the
 * recipient browser lists the classes the product is for (here grade 07 of compulsory school) first and the rest
 * behind a toggle that needs no JavaScript (a details element).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClassRecipientsTest extends IntegrationTest {

    @LocalServerPort int port;
    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired AdminAccounts accounts;
    @Autowired BuyerScopes scopes;
    @Autowired Cart cart;
    @Autowired Orders orders;
    @Autowired Licences licences;

    PurchaseFixture fx;
    String buyer;
    UUID product;

    @BeforeAll
    void setUp() throws Exception {
        fx = new PurchaseFixture(imports, jdbc, catalog);
        buyer = fx.buyer(accounts, scopes, "class-buyer", fx.organiserId);
        product = fx.product(fx.supplier("Klassförlaget", true, List.of()), "Klassboken", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
    }

    @Test
    void theClassesTheProductIsForComeFirstAndTheRestBehindAToggle() {
        WebSession web = new WebSession(port).signIn(buyer, PurchaseFixture.PASSWORD);
        UUID line = cart.add(buyer, product, null, false);
        String page = web.get("/purchase/cart/" + line + "/recipients?unit=" + fx.schoolId).body();
        int toggle = page.indexOf("<details");
        assertThat(toggle).as("a toggle for the classes of other grades").isPositive();
        assertThat(page.indexOf("value=\"" + fx.group("c-7a") + "\"")).isBetween(0, toggle);
        assertThat(page.indexOf("value=\"" + fx.group("c-7b") + "\"")).isBetween(0, toggle);
        assertThat(page.indexOf("value=\"" + fx.group("c-8a") + "\"")).isGreaterThan(toggle);
        assertThat(page.substring(toggle, page.indexOf("</details>"))).contains("<summary>Other classes and groups (1)");
        assertThat(page).contains("Staff in 7A");
    }

    @Test
    void tickingAClassTakesItsPupilsAndItsTeacherOnlyWhenTicked() {
        WebSession web = new WebSession(port).signIn(buyer, PurchaseFixture.PASSWORD);
        UUID line = cart.add(buyer, product, null, false);
        String path = "/purchase/cart/" + line + "/recipients";
        Map<String, String> fields = WebSession.hiddenFields(web.get(path + "?unit=" + fx.schoolId).body(), path);
        fields.put("group", fx.group("c-7a").toString());
        web.post(path, fields);
        String chosen = web.get(path).body();
        assertThat(chosen).contains("Pupils in 7A (Ekbackaskolan " + fx.tag + ")").contains("4 persons today");
        assertThat(recipients(line)).containsExactly("GROUP PUPIL");

        fields = WebSession.hiddenFields(web.get(path + "?unit=" + fx.schoolId).body(), path);
        fields.put("groupStaff", fx.group("c-7a").toString());
        web.post(path, fields);
        assertThat(web.get(path).body()).contains("Staff in 7A (Ekbackaskolan " + fx.tag + ")").contains("1 person today");
        assertThat(recipients(line)).containsExactly("GROUP PUPIL", "GROUP STAFF");
    }

    @Test
    void anOrderForAClassGivesItsPupilsSeatsAndFollowsThemNotItsTeacher() {
        Order order = orders.place(buyer, List.of(new OrderLineRequest(product, List.of(Recipient.group(fx.group("c-7b"), "PUPIL")), null, false)))
                .order();
        assertThat(order.status()).isEqualTo(Order.Status.PLACED);
        for (UUID pupil : fx.persons("p5", "p6", "p7")) {
            assertThat(licences.holds(pupil, product, LocalDate.now())).as("a pupil of 7B").isTrue();
        }
        assertThat(licences.holds(fx.person("t1"), product, LocalDate.now())).as("the teacher of 7B, not ticked").isFalse();
        assertThat(jdbc.sql("select role from assignment_rule where pool_id = :p and kind = 'GROUP'").param("p", order.lines().getFirst().poolId())
                .query(String.class).single()).as("the pool's rule keeps to the pupils after the next import too").isEqualTo("PUPIL");
    }

    private List<String> recipients(UUID line) {
        return jdbc.sql("select kind || ' ' || coalesce(role, '-') from cart_recipient where line_id = :l order by position").param("l", line)
                .query(String.class).list();
    }
}
