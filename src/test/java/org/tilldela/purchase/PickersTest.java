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

/**
 * Pick, don't paste (issue 13): "New pool" and "Add a rule" offer search pickers instead of id fields. Without
 * JavaScript the search is a plain GET form and the page lists the choices as radio buttons inside the form that
 * submits; with htmx the same choices come alone from /licences/pick/…; ids only travel as the chosen values.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PickersTest extends IntegrationTest {

    @LocalServerPort int port;
    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired AdminAccounts accounts;
    @Autowired LicencePools pools;
    @Autowired org.tilldela.ledger.DisclosureLedger ledger;
    @Autowired org.springframework.transaction.support.TransactionTemplate tx;

    PurchaseFixture fx;
    String admin;
    UUID product;

    @BeforeAll
    void setUp() throws Exception {
        fx = new PurchaseFixture(imports, jdbc, catalog);
        admin = "pickers-" + fx.tag;
        accounts.create(admin, "Licensadministratör", PurchaseFixture.PASSWORD, EnumSet.of(AdminRight.LICENCE_ADMIN), "test");
        product = fx.product(fx.supplier("Väljarförlaget", true, List.of()), "Väljarboken", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
    }

    private static String radio(String name, String value) {
        return "name=\"" + name + "\" id=\"" + name + "-0\" value=\"" + value + "\"";
    }

    @Test
    void aNewPoolIsMadeByPickingTheProductAndTheSchoolWithoutJavaScript() {
        WebSession web = new WebSession(port).signIn(admin, PurchaseFixture.PASSWORD);
        String blank = web.get("/licences").body();
        // nothing to paste: no id or article number fields
        assertThat(blank).doesNotContain("name=\"scopeId\" type=\"text\"").doesNotContain("name=\"articleNumber\"").contains("id=\"findProduct\"");

        String found = web.get("/licences?findProduct=" + fx.tag + "&findScope=Ekbackaskolan+" + fx.tag).body();
        assertThat(found).contains(radio("productId", product.toString())).contains(radio("scopeId", fx.schoolId.toString()));
        assertThat(found).contains("Väljarboken " + fx.tag, "Ekbackaskolan " + fx.tag);

        Map<String, String> fields = WebSession.hiddenFields(found, "/licences/pools");
        fields.put("productId", product.toString());
        fields.put("scopeId", fx.schoolId.toString());
        fields.put("seats", "25");
        fields.put("startsOn", LocalDate.now().toString());
        WebSession.Answer created = web.post("/licences/pools", fields);
        assertThat(created.status()).isEqualTo(302);
        assertThat(created.location()).contains("/licences/pools/");
        assertThat(jdbc.sql("select count(*) from licence_pool where product_id = :p and scope_id = :s and seats = 25").param("p", product)
                .param("s", fx.schoolId).query(Long.class).single()).isOne();
    }

    @Test
    void htmxGetsTheChoicesAloneAndTooFewLettersFindNothing() {
        WebSession web = new WebSession(port).signIn(admin, PurchaseFixture.PASSWORD);
        String units = web.get("/licences/pick/units?findScope=Björkskolan+" + fx.tag).body();
        assertThat(units).contains(radio("scopeId", fx.otherSchoolId.toString())).doesNotContain("<html").doesNotContain("<main");
        assertThat(web.get("/licences/pick/products?findProduct=V").body()).contains("Type a few letters").doesNotContain("type=\"radio\"");
        assertThat(web.get("/licences/pick/nothing?find=ab").status()).isEqualTo(404);
    }

    @Test
    void aRuleIsAddedByPickingTheGroupAndAPickOfTheWrongKindIsRefused() {
        WebSession web = new WebSession(port).signIn(admin, PurchaseFixture.PASSWORD);
        UUID pool = pools.create(new NewPool(product, fx.organiserId, fx.schoolId, 30, LocalDate.now().minusDays(1), LocalDate.now().plusYears(1),
                false, null, "test"));
        String page = web.get("/licences/pools/" + pool + "?findTarget=7B").body();
        UUID group = fx.group("c-7b");
        assertThat(page).contains("value=\"GROUP:" + group + "\"").doesNotContain("As shown in the organisation browser");

        Map<String, String> wrong = WebSession.hiddenFields(page, "/licences/pools/" + pool + "/rules");
        wrong.put("kind", "PERSON");
        wrong.put("target", "GROUP:" + group);
        assertThat(web.follow(web.post("/licences/pools/" + pool + "/rules", wrong)).body()).contains("The rule could not be added");
        assertThat(rules(pool)).isZero();

        Map<String, String> fields = WebSession.hiddenFields(web.get("/licences/pools/" + pool + "?findTarget=7B").body(), "/licences/pools/" + pool + "/rules");
        fields.put("kind", "GROUP");
        fields.put("target", "GROUP:" + group);
        web.post("/licences/pools/" + pool + "/rules", fields);
        assertThat(rules(pool)).isOne();
        assertThat(web.get("/licences/pools/" + pool).body()).contains("7B (Ekbackaskolan " + fx.tag + ")");
    }

    @Test
    void aSeatIsGivenByHandByPickingTheClass() {
        WebSession web = new WebSession(port).signIn(admin, PurchaseFixture.PASSWORD);
        UUID pool = pools.create(new NewPool(product, fx.organiserId, fx.otherSchoolId, 30, LocalDate.now().minusDays(1), LocalDate.now().plusYears(1),
                false, null, "test"));
        String page = web.get("/licences/pools/" + pool + "?findHolder=9A").body();
        UUID group = fx.group("c-9a");
        assertThat(page).contains("value=\"GROUP:" + group + "\"").doesNotContain("name=\"persons\"").doesNotContain("name=\"groupId\"");
        Map<String, String> fields = WebSession.hiddenFields(page, "/licences/pools/" + pool + "/direct");
        fields.put("holder", "GROUP:" + group);
        web.post("/licences/pools/" + pool + "/direct", fields);
        assertThat(jdbc.sql("select count(*) from licence_assignment where pool_id = :p and state = 'ACTIVE'").param("p", pool).query(Long.class)
                .single()).as("the two pupils of 9A and their teacher").isEqualTo(3);
    }

    @Test
    void theLedgerFeedIsFilteredByPickingTheProductAndThePersonWithoutAnIdField() {
        String officer = "pickers-dpo-" + fx.tag;
        accounts.create(officer, "Dataskyddsombud", PurchaseFixture.PASSWORD, EnumSet.of(AdminRight.DATA_PROTECTION_OFFICER), "test");
        UUID supplier = catalog.product(product).orElseThrow().supplierId();
        UUID pupil = fx.person("p6");
        tx.executeWithoutResult(s -> ledger.append(List.of(new org.tilldela.ledger.Disclosure(pupil, supplier, product,
                org.tilldela.ledger.Channel.SCIM_PUSH, EnumSet.of(org.tilldela.catalog.Attribute.PSEUDONYMOUS_ID), null, "GDPR art. 6.1 e", "Inloggning",
                java.time.Instant.now(), 30, null))));
        WebSession web = new WebSession(port).signIn(officer, PurchaseFixture.PASSWORD);
        String blank = web.get("/ledger/feed").body();
        assertThat(blank).doesNotContain("name=\"product\" th").doesNotContain("type=\"text\" id=\"product\"").doesNotContain("id=\"person\"")
                .contains("id=\"findProduct\"").contains("id=\"findPerson\"");
        // without JavaScript: the words go with the filters, the page lists what they find to choose from
        Municipality.User u = fx.municipality.user("p6");
        String found = web.get("/ledger/feed?findProduct=V%C3%A4ljarboken+" + fx.tag + "&findPerson=" + u.familyName() + "+" + u.givenName()).body();
        assertThat(found).contains("name=\"product\" id=\"product-0\" value=\"" + product + "\"")
                .contains("name=\"person\" id=\"person-0\" value=\"" + pupil + "\"").contains(u.familyName() + ", " + u.givenName());
        // chosen: the feed narrows, and the choice stays listed by name, chosen
        String filtered = web.get("/ledger/feed?product=" + product + "&person=" + pupil).body();
        assertThat(filtered).contains("value=\"" + product + "\" checked").contains("Väljarboken " + fx.tag)
                .contains("value=\"" + pupil + "\" checked").contains(u.familyName() + ", " + u.givenName());
        assertThat(filtered.substring(filtered.indexOf("id=\"feed-rows\""))).contains("Väljarboken " + fx.tag);
        // the supplier too: found by name, chosen, kept
        String supplierName = catalog.supplier(supplier).orElseThrow().name();
        assertThat(blank).doesNotContain("<select id=\"supplier\"").contains("id=\"findSupplier\"");
        assertThat(web.get("/ledger/feed?findSupplier=" + java.net.URLEncoder.encode(supplierName, java.nio.charset.StandardCharsets.UTF_8)).body())
                .contains("name=\"supplier\" id=\"supplier-0\" value=\"" + supplier + "\"");
        assertThat(web.get("/ledger/feed?supplier=" + supplier).body()).contains("value=\"" + supplier + "\" checked").contains(supplierName);
        // htmx: the choices alone
        String pick = web.get("/ledger/pick/persons?findPerson=" + u.familyName()).body();
        assertThat(pick).contains("value=\"" + pupil + "\"").doesNotContain("<main");
        assertThat(web.get("/ledger/pick/nothing?find=ab").status()).isEqualTo(404);
    }

    private long rules(UUID pool) {
        return jdbc.sql("select count(*) from assignment_rule where pool_id = :p").param("p", pool).query(Long.class).single();
    }
}
