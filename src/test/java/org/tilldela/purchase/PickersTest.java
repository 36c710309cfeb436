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
                // among those of the same name (the whole suite's fixtures share their generated names)
                .contains("value=\"" + pupil + "\"").contains(u.familyName() + ", " + u.givenName());
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
        String pick = web.get("/ledger/pick/persons?findPerson=" + u.familyName() + "+" + u.givenName()).body();
        assertThat(pick).contains("value=\"" + pupil + "\"").doesNotContain("<main");
        assertThat(web.get("/ledger/pick/nothing?find=ab").status()).isEqualTo(404);
    }

    // --- issue 13, the rest of "pick, don't paste" (branch ui2): every chooser of a unit, product, supplier or organisation

    @Autowired org.tilldela.governance.AdminGrants grants;
    @Autowired BuyerScopes buyerScopes;

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** An account with every right over the whole installation, to grant scoped rights from. */
    private String root() {
        String root = "pickers-root-" + fx.tag;
        if (jdbc.sql("select count(*) from admin_account where username = :u").param("u", root).query(Long.class).single() == 0) {
            accounts.create(root, "Root", PurchaseFixture.PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        }
        return root;
    }

    @Test
    void theAccessReviewsAndTheGrantFormPickUnitsWithinTheAdministratorsOwnScope() {
        org.tilldela.governance.ScopedMunicipality m = new org.tilldela.governance.ScopedMunicipality(jdbc);
        String u = m.source.substring("scopes-".length());
        String root = root();
        String scoped = "pickers-units-" + u;
        accounts.create(root, scoped, "Provbys kontoadministratör", PurchaseFixture.PASSWORD);
        grants.grant(root, scoped, AdminRight.ACCOUNT_ADMIN, org.tilldela.governance.GrantScope.units(java.util.Set.of(m.organiser), java.util.Set.of()));
        grants.grant(root, scoped, AdminRight.DIRECTORY_ADMIN, org.tilldela.governance.GrantScope.units(java.util.Set.of(m.organiser), java.util.Set.of()));
        String principal = "pickers-rektor-" + u;
        accounts.create(root, principal, "Rektor A", PurchaseFixture.PASSWORD);
        grants.grant(root, principal, AdminRight.ACCOUNT_ADMIN, org.tilldela.governance.GrantScope.units(java.util.Set.of(m.schoolA), java.util.Set.of()));
        WebSession web = new WebSession(port).signIn(scoped, PurchaseFixture.PASSWORD);

        // htmx: the choices alone, and only Provby's units: Grannby's C-skolan (same words) is not found
        String picked = web.get("/admin/reviews/pick/units?findStartUnit=" + enc("skolan " + u)).body();
        assertThat(picked).contains("value=\"" + m.schoolA + "\"", "value=\"" + m.schoolB + "\"").doesNotContain(m.schoolC.toString())
                .contains("A-skolan " + u, "Provby kommun " + u).doesNotContain("<main");
        assertThat(web.get("/admin/reviews/pick/units?findStandingUnit=" + enc("C-skolan " + u)).body()).contains("Nothing matches")
                .doesNotContain(m.schoolC.toString());
        assertThat(web.get("/admin/accounts/pick/units?findUnit=" + enc("kommun " + u)).body()).contains("type=\"checkbox\"")
                .contains("value=\"" + m.organiser + "\"").doesNotContain(m.otherOrganiser.toString());
        // ticked units stay listed, ticked, as the words change (htmx sends them along); one beyond the scope is dropped
        assertThat(web.get("/admin/accounts/pick/units?findUnit=" + enc("B-skolan " + u) + "&organisations=" + m.schoolA + "&organisations=" + m.schoolC)
                .body()).containsPattern("value=\"" + m.schoolA + "\"[^>]*checked").contains("value=\"" + m.schoolB + "\"").doesNotContain(m.schoolC.toString());

        // without JavaScript, the access reviews: a plain GET search lists the units in the form that posts; no select of every unit
        String reviewsPage = web.get("/admin/reviews?findStandingUnit=" + enc("A-skolan " + u)).body();
        assertThat(reviewsPage).doesNotContain("<select id=\"standing-unit\"").doesNotContain("<select id=\"start-unit\"")
                .contains("name=\"standingUnit\" id=\"standingUnit-0\" value=\"" + m.schoolA + "\"");
        Map<String, String> standing = WebSession.hiddenFields(reviewsPage, "/admin/reviews/reviewers");
        standing.put("standingUnit", m.schoolA.toString());
        standing.put("reviewer", principal);
        assertThat(web.post("/admin/reviews/reviewers", standing).status()).isEqualTo(302);
        assertThat(jdbc.sql("select reviewer from access_review_schedule where organisation_id = :o").param("o", m.schoolA).query(String.class).single())
                .isEqualTo(principal);
        // nothing picked: said on the page, not a bare 400
        Map<String, String> none = WebSession.hiddenFields(web.get("/admin/reviews").body(), "/admin/reviews/reviewers");
        none.put("reviewer", principal);
        assertThat(web.follow(web.post("/admin/reviews/reviewers", none)).body()).contains("Choose the unit");

        // without JavaScript, the grant form: search, tick, grant
        String target = "pickers-target-" + u;
        accounts.create(scoped, target, "Lärare", PurchaseFixture.PASSWORD);
        String accountPage = web.get("/admin/accounts/" + target + "?findUnit=" + enc("B-skolan " + u)).body();
        // the search field stands by the choices in the form that grants, yet belongs to the GET search form
        assertThat(accountPage).contains("form=\"unit-search\"").contains("<form id=\"unit-search\"");
        assertThat(accountPage).doesNotContain("<select id=\"organisations\"")
                .contains("type=\"checkbox\" name=\"organisations\" id=\"organisations-0\" value=\"" + m.schoolB + "\"");
        Map<String, String> grant = WebSession.hiddenFields(accountPage, "/admin/accounts/" + target + "/grants");
        grant.put("right", "DIRECTORY_ADMIN");
        grant.put("scope", "units");
        grant.put("organisations", m.schoolB.toString());
        assertThat(web.post("/admin/accounts/" + target + "/grants", grant).status()).isEqualTo(302);
        assertThat(grants.of(target)).singleElement().satisfies(g -> assertThat(g.organisations()).containsExactly(m.schoolB));
    }

    @Test
    void theUtilisationPagePicksAmongTheProductsOfThePoolsTheAccountSees() {
        org.tilldela.governance.ScopedMunicipality m = new org.tilldela.governance.ScopedMunicipality(jdbc);
        UUID ours = fx.product(fx.supplier("Nyttjandeförlaget", true, List.of()), "Nyttjandeboken", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        // Grannby's supplier has an agreement with Grannby
        UUID grannforlaget = UUID.randomUUID();
        catalog.save(new org.tilldela.catalog.Supplier(grannforlaget, "Grannförlaget " + fx.tag, "56" + (10_000_000 + new java.util.Random().nextInt(89_999_999)),
                "SE", java.util.Set.of("SE"), List.of(), List.of(new org.tilldela.catalog.Supplier.ProcessingAgreement(UUID.randomUUID(), "pub.pdf",
                LocalDate.now().minusYears(1), LocalDate.now().plusYears(2), java.util.Set.of(m.otherOrganiser))),
                new org.tilldela.catalog.Supplier.Contact("Kontakt", "kontakt@example.se", null)));
        UUID theirs = fx.product(grannforlaget, "Nyttjandeboken för Grannby", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        pools.create(new NewPool(ours, fx.organiserId, fx.schoolId, 30, LocalDate.now().minusDays(10), LocalDate.now().plusYears(1), false, null, "test"));
        pools.create(new NewPool(theirs, m.otherOrganiser, m.schoolC, 30, LocalDate.now().minusDays(10), LocalDate.now().plusYears(1), false, null, "test"));
        String root = root();
        String principal = "pickers-util-" + fx.tag;
        accounts.create(root, principal, "Rektor Ekbacka", PurchaseFixture.PASSWORD);
        grants.grant(root, principal, AdminRight.LICENCE_ADMIN, org.tilldela.governance.GrantScope.units(java.util.Set.of(fx.schoolId), java.util.Set.of()));
        WebSession web = new WebSession(port).signIn(principal, PurchaseFixture.PASSWORD);

        // htmx: "all products" first, then the matches among the account's own pools' products only
        String picked = web.get("/utilisation/pick/products?findProduct=Nyttjandeboken").body();
        assertThat(picked).contains("value=\"" + ours + "\"").doesNotContain(theirs.toString()).doesNotContain("Grannby")
                .containsPattern("value=\"\"[^>]*checked").doesNotContain("<main");
        // without JavaScript: the words go with the period, the page lists what they find; choosing one narrows the page to it
        String page = web.get("/utilisation?findProduct=" + enc("nyttjandebok")).body();
        assertThat(page).doesNotContain("<select id=\"product\"").contains("name=\"product\" id=\"product-0\" value=\"" + ours + "\"").contains("id=\"product-any\"")
                .doesNotContain(theirs.toString());
        String chosen = web.get("/utilisation?product=" + ours).body();
        assertThat(chosen).containsPattern("value=\"" + ours + "\"[^>]*checked").contains("Nyttjandeboken " + fx.tag);
        // another organiser's product named in the address shows nothing of it
        assertThat(web.get("/utilisation?product=" + theirs).body()).doesNotContain("Grannby").containsPattern("value=\"\"[^>]*checked");
    }

    @Test
    void theProductFormPicksItsSupplierByNameWithoutJavaScript() {
        String keeper = "pickers-catalog-" + fx.tag;
        accounts.create(keeper, "Katalogansvarig", PurchaseFixture.PASSWORD, EnumSet.of(AdminRight.CATALOG_ADMIN), "test");
        UUID supplier = fx.supplier("Leverantörsväljaren", true, List.of());
        org.tilldela.catalog.Supplier s = catalog.supplier(supplier).orElseThrow();
        WebSession web = new WebSession(port).signIn(keeper, PurchaseFixture.PASSWORD);
        assertThat(web.get("/catalog/products/new").body()).doesNotContain("<select id=\"supplier\"").contains("id=\"findSupplier\"");
        // accents aside: "leverantorsvaljaren" finds Leverantörsväljaren; the organisation number finds it too
        assertThat(web.get("/catalog/pick/suppliers?findSupplier=leverantorsvaljaren+" + fx.tag).body())
                .contains("value=\"" + s.organisationNumber() + "\"").doesNotContain("<main");
        String found = web.get("/catalog/products/new?findSupplier=" + s.organisationNumber()).body();
        assertThat(found).contains("name=\"supplier\" id=\"supplier-0\" value=\"" + s.organisationNumber() + "\"").contains(s.name());
        Map<String, String> fields = WebSession.hiddenFields(found, "/catalog/products");
        fields.putAll(Map.of("supplier", s.organisationNumber(), "articleNumber", "PICK-" + fx.tag, "title", "Vald bok " + fx.tag, "kind", "DIGITAL",
                "schoolForms", "GR", "licenceModel", "PER_USER", "licencePeriodMonths", "12", "price", "100", "currency", "SEK",
                "accessMethod", "OPENID_CONNECT"));
        fields.put("description", "");
        fields.put("grades", "07");
        fields.put("subjects", "Svenska");
        fields.put("trialDays", "");
        WebSession.Answer saved = web.post("/catalog/products", fields);
        assertThat(saved.status()).isEqualTo(302);
        assertThat(saved.location()).contains("/catalog/products/");
        assertThat(jdbc.sql("select count(*) from product where supplier_id = :s and title = :t").param("s", supplier).param("t", "Vald bok " + fx.tag)
                .query(Long.class).single()).isOne();
        // the edit form has its supplier listed, chosen
        UUID created = UUID.fromString(saved.location().replaceAll(".*/catalog/products/([0-9a-f-]{36}).*", "$1"));
        assertThat(web.get("/catalog/products/" + created + "/edit").body()).containsPattern("value=\"" + s.organisationNumber() + "\"[^>]*checked");
    }

    @Test
    void thePolicyAndTheBuyersPagesPickTheOrganisationByName() {
        String officer = "pickers-policy-" + fx.tag;
        accounts.create(officer, "Dataskyddsombud och katalogadmin", PurchaseFixture.PASSWORD,
                EnumSet.of(AdminRight.DATA_PROTECTION_OFFICER, AdminRight.DIRECTORY_ADMIN), "test");
        WebSession web = new WebSession(port).signIn(officer, PurchaseFixture.PASSWORD);
        // the policy: organisers only, found by name (accents aside), chosen and shown with one GET form
        String organiser = "Provby kommun " + fx.tag;
        assertThat(web.get("/purchase/pick/organisers?findOrganiser=" + enc("provby kommun " + fx.tag)).body())
                .contains("value=\"" + fx.organiserId + "\"").doesNotContain(fx.schoolId.toString());
        assertThat(web.get("/purchase/pick/organisers?findOrganiser=" + enc("Ekbackaskolan " + fx.tag)).body()).contains("Nothing matches");
        String policy = web.get("/purchase/policy?findOrganiser=" + enc(organiser)).body();
        assertThat(policy).doesNotContain("<select id=\"organiser-pick\"").contains("value=\"" + fx.organiserId + "\"");
        assertThat(web.get("/purchase/policy?organiser=" + fx.organiserId).body()).containsPattern("value=\"" + fx.organiserId + "\"[^>]*checked")
                .contains(organiser);
        // the buyers: an organiser or a school unit, found by name, then saved with the form that posts
        String buyer = "pickers-buyer-" + fx.tag;
        accounts.create(buyer, "Inköpare", PurchaseFixture.PASSWORD, EnumSet.of(AdminRight.BUYER), "test");
        String page = web.get("/purchase/buyers?findOrganisation=" + enc("Björkskolan " + fx.tag)).body();
        assertThat(page).doesNotContain("<select id=\"organisation\"").contains("name=\"organisation\" id=\"organisation-0\" value=\"" + fx.otherSchoolId + "\"");
        Map<String, String> fields = WebSession.hiddenFields(page, "/purchase/buyers");
        fields.put("username", buyer);
        fields.put("organisation", fx.otherSchoolId.toString());
        assertThat(web.post("/purchase/buyers", fields).status()).isEqualTo(302);
        assertThat(buyerScopes.of(buyer)).hasValueSatisfying(b -> assertThat(b.organisationId()).isEqualTo(fx.otherSchoolId));
        Map<String, String> none = WebSession.hiddenFields(page, "/purchase/buyers");
        none.put("username", buyer);
        assertThat(web.follow(web.post("/purchase/buyers", none)).body()).contains("Choose the organisation the account buys for");

        // the policy is for a grant over the whole installation: a scoped one is refused its picker; the buyers' picker follows the
        // directory administrator's scope (PurchaseAndAccountScopeTest): a school's never offers the organiser above it
        String root = root();
        String scoped = "pickers-scoped-dpo-" + fx.tag;
        accounts.create(root, scoped, "Skolans ombud", PurchaseFixture.PASSWORD);
        grants.grant(root, scoped, AdminRight.DATA_PROTECTION_OFFICER, org.tilldela.governance.GrantScope.units(java.util.Set.of(fx.schoolId), java.util.Set.of()));
        grants.grant(root, scoped, AdminRight.DIRECTORY_ADMIN, org.tilldela.governance.GrantScope.units(java.util.Set.of(fx.schoolId), java.util.Set.of()));
        WebSession narrow = new WebSession(port).signIn(scoped, PurchaseFixture.PASSWORD);
        assertThat(narrow.get("/purchase/pick/organisers?findOrganiser=" + enc(organiser)).status()).isEqualTo(403);
        WebSession.Answer buyersPicker = narrow.get("/purchase/buyers/pick/organisations?findOrganisation=" + enc(organiser));
        assertThat(buyersPicker.status()).isEqualTo(200);
        assertThat(buyersPicker.body()).doesNotContain(fx.organiserId.toString());
    }

    private long rules(UUID pool) {
        return jdbc.sql("select count(*) from assignment_rule where pool_id = :p").param("p", pool).query(Long.class).single();
    }
}
