package org.tilldela.purchase;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.GrantScope;
import org.tilldela.governance.AdminRight;
import org.tilldela.ledger.Channel;
import org.tilldela.ledger.Disclosure;
import org.tilldela.ledger.DisclosureLedger;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.NewPool;

/**
 * CSV exports (issue 13): a pool's holders and shortfall, the buyer's orders, the disclosure feed, a group's members, a
 * directory search's results and a supplier's inventory — each within the
 * account's rights, persons as the account may see them, UTF-8 with a byte order mark, formulas kept as text, audited.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CsvExportsTest extends IntegrationTest {

    private static final String BOM = "\uFEFF";

    @LocalServerPort int port;
    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired AdminAccounts accounts;
    @Autowired BuyerScopes scopes;
    @Autowired Orders orders;
    @Autowired LicencePools pools;
    @Autowired DisclosureLedger ledger;
    @Autowired TransactionTemplate tx;
    @Autowired AdminGrants grants;

    PurchaseFixture fx;
    String licenceAdmin;
    String dpo;
    UUID supplier;
    UUID product;

    @BeforeAll
    void setUp() throws Exception {
        fx = new PurchaseFixture(imports, jdbc, catalog);
        licenceAdmin = "csv-licences-" + fx.tag;
        dpo = "csv-dpo-" + fx.tag;
        accounts.create(licenceAdmin, "Licenser", PurchaseFixture.PASSWORD, EnumSet.of(AdminRight.LICENCE_ADMIN), "test");
        accounts.create(dpo, "Dataskyddsombud", PurchaseFixture.PASSWORD, EnumSet.of(AdminRight.DATA_PROTECTION_OFFICER), "test");
        supplier = fx.supplier("Exportförlaget", true, List.of());
        // a title written by a supplier that a spreadsheet would run
        product = fx.product(supplier, "=SUM(1+1)", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
    }

    private String name(String sourceId) {
        Municipality.User u = fx.municipality.user(sourceId);
        return u.familyName() + ", " + u.givenName();
    }

    private long audited(String action, String actor) {
        return jdbc.sql("select count(*) from audit_event where action = :a and actor = :u").param("a", action).param("u", actor)
                .query(Long.class).single();
    }

    @Test
    void aPoolsHoldersAndThoseWithoutASeatMaskedAndAudited() {
        UUID pool = pools.create(new NewPool(product, fx.organiserId, fx.schoolId, 3, LocalDate.now().minusDays(1), LocalDate.now().plusYears(1),
                false, null, "test"));
        pools.assignGroup(pool, fx.group("c-7a"), "test");
        WebSession web = new WebSession(port).signIn(licenceAdmin, PurchaseFixture.PASSWORD);
        WebSession.Answer csv = web.get("/licences/pools/" + pool + "/holders.csv");
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.body()).startsWith(BOM + "Person,State,How,Assigned,Grace until / ended\r\n");
        // 7A: four pupils (one protected) and their teacher, three seats: two left without
        assertThat(csv.body().lines().count()).isEqualTo(6);
        assertThat(csv.body()).contains("Without a seat");
        assertThat(csv.body().lines().filter(l -> l.startsWith("Protected person,")).count()).isOne();
        Municipality.User hidden = fx.municipality.user("p1");
        assertThat(csv.body()).doesNotContain(hidden.familyName() + ", " + hidden.givenName());
        assertThat(audited("EXPORT_POOL_HOLDERS", licenceAdmin)).isOne();
        assertThat(web.get("/ledger/feed.csv").status()).as("not the licence administrator's to export").isEqualTo(403);
    }

    @Test
    void theBuyersOrdersWithAFormulaKeptAsText() {
        String buyer = fx.buyer(accounts, scopes, "csv-buyer", fx.schoolId);
        orders.place(buyer, List.of(new OrderLineRequest(product, List.of(Recipient.group(fx.group("c-7b"))), null, false)));
        WebSession web = new WebSession(port).signIn(buyer, PurchaseFixture.PASSWORD);
        WebSession.Answer csv = web.get("/purchase/orders.csv");
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.body()).startsWith(BOM + "Order,Status,Placed,Product,Article number,Seats,Unit price,Currency,Valid from,Valid until\r\n")
                .contains(",Placed,").contains(",'=SUM(1+1) " + fx.tag + ",").contains(",99.00,SEK,");
        assertThat(audited("EXPORT_ORDERS", buyer)).isOne();
        assertThat(web.get("/licences/pools/" + UUID.randomUUID() + "/holders.csv").status()).isEqualTo(403);
    }

    @Test
    void theFeedNamesPersonsAsTheOfficerMaySeeThem() {
        Set<Attribute> released = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME);
        UUID pupil = fx.person("p3");
        UUID protectedPupil = fx.person("p1");
        tx.executeWithoutResult(s -> ledger.append(List.of(
                new Disclosure(pupil, supplier, product, Channel.SCIM_PUSH, released, null, "GDPR art. 6.1 e", "Inloggning", Instant.now(), 30, null),
                new Disclosure(protectedPupil, supplier, product, Channel.SCIM_PUSH, released, null, "GDPR art. 6.1 e", "Inloggning", Instant.now(),
                        30, null))));
        WebSession web = new WebSession(port).signIn(dpo, PurchaseFixture.PASSWORD);
        assertThat(web.get("/ledger/feed?supplier=" + supplier).body()).contains("/ledger/feed.csv?supplier=" + supplier);
        WebSession.Answer csv = web.get("/ledger/feed.csv?supplier=" + supplier + "&lang=sv");
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.body()).startsWith(BOM + "Nr,").hasLineCount(3)
                .contains("\"" + name("p3") + "\"," + pupil).contains("Skyddad person," + protectedPupil).contains("'=SUM(1+1) " + fx.tag);
        assertThat(audited("EXPORT_LEDGER_FEED", dpo)).isOne();
    }

    @Test
    void aGroupsMembersASearchAndASuppliersInventoryWithinTheAccountsRights() {
        String root = "csv-root-" + fx.tag;
        accounts.create(root, "Root", PurchaseFixture.PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        String directoryAdmin = "csv-directory-" + fx.tag;
        accounts.create(directoryAdmin, "Katalog", PurchaseFixture.PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN), "test");
        String otherSchool = "csv-other-school-" + fx.tag;
        accounts.create(root, otherSchool, "Björkskolan", PurchaseFixture.PASSWORD);
        grants.grant(root, otherSchool, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(fx.otherSchoolId), Set.of()));
        grants.grant(root, otherSchool, AdminRight.DATA_PROTECTION_OFFICER, GrantScope.units(Set.of(fx.otherSchoolId), Set.of()));

        // a group's members: the protected pupil masked, the teacher too, audited
        WebSession web = new WebSession(port).signIn(directoryAdmin, PurchaseFixture.PASSWORD);
        UUID klass = fx.group("c-7a");
        assertThat(web.get("/directory/groups/" + klass).body()).contains("/directory/groups/" + klass + "/members.csv");
        WebSession.Answer members = web.get("/directory/groups/" + klass + "/members.csv");
        assertThat(members.status()).isEqualTo(200);
        assertThat(members.body()).startsWith(BOM + "Family name,Given name,Role,Civic number,Protected identity,Id\r\n").hasLineCount(6)
                .contains(fx.municipality.user("p3").familyName() + "," + fx.municipality.user("p3").givenName() + ",Pupil,")
                .contains(",Teacher,").contains("Protected person,,Pupil,,Protected person," + fx.person("p1"));
        // the protected pupil's name is nowhere (as "family,given": another member of the class may share a generated family name)
        assertThat(members.body()).doesNotContain(fx.municipality.user("p1").familyName() + "," + fx.municipality.user("p1").givenName());
        assertThat(audited("EXPORT_GROUP_MEMBERS", directoryAdmin)).isOne();
        // outside the account's scope: not found, nothing audited
        WebSession other = new WebSession(port).signIn(otherSchool, PurchaseFixture.PASSWORD);
        assertThat(other.get("/directory/groups/" + klass + "/members.csv").status()).isEqualTo(404);
        assertThat(audited("EXPORT_GROUP_MEMBERS", otherSchool)).isZero();

        // a search's results, whom it took out kept with the export by id (not the query, a name); too short a query is refused
        String family = fx.municipality.user("p5").familyName();
        // the link's query is URL-encoded (a generated name may hold an å, ä or ö)
        assertThat(web.get("/directory/search?q=" + family).body())
                .contains("/directory/search.csv?q=" + org.springframework.web.util.UriUtils.encodeQueryParam(family, java.nio.charset.StandardCharsets.UTF_8));
        WebSession.Answer found = web.get("/directory/search.csv?q=" + family + "&lang=sv");
        assertThat(found.status()).isEqualTo(200);
        assertThat(found.body()).startsWith(BOM + "Typ,Namn,").contains("Person,\"" + name("p5") + "\",,").contains(fx.person("p5").toString());
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'EXPORT_DIRECTORY_SEARCH' and actor = :u and (detail -> 'persons') @> jsonb_build_array(:p::text)")
                .param("u", directoryAdmin).param("p", fx.person("p5").toString()).query(Long.class).single()).isOne();
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'EXPORT_DIRECTORY_SEARCH' and actor = :u and detail::text like :q")
                .param("u", directoryAdmin).param("q", "%" + family + "%").query(Long.class).single()).as("the name typed is not kept").isZero();
        assertThat(web.get("/directory/search.csv?q=a").status()).isEqualTo(400);
        assertThat(other.get("/directory/search.csv?q=" + family).body()).doesNotContain(name("p5"));

        // what a supplier holds: per product and kind of data, counts only; the whole installation's officer only
        UUID holder = fx.supplier("Lagerförlaget", true, List.of());
        UUID held = fx.product(holder, "Lagerboken", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        Set<Attribute> released = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME);
        tx.executeWithoutResult(s -> ledger.append(List.of(
                new Disclosure(fx.person("p6"), holder, held, Channel.SCIM_PUSH, released, null, "GDPR art. 6.1 e", "Inloggning", Instant.now(), 30,
                        null),
                new Disclosure(fx.person("p7"), holder, held, Channel.SCIM_PUSH, EnumSet.of(Attribute.PSEUDONYMOUS_ID), null, "GDPR art. 6.1 e",
                        "Inloggning", Instant.now(), 30, null))));
        WebSession officer = new WebSession(port).signIn(dpo, PurchaseFixture.PASSWORD);
        assertThat(officer.get("/ledger/suppliers/" + holder).body()).contains("/ledger/suppliers/" + holder + "/inventory.csv");
        WebSession.Answer inventory = officer.get("/ledger/suppliers/" + holder + "/inventory.csv");
        assertThat(inventory.status()).isEqualTo(200);
        assertThat(inventory.body()).startsWith(BOM + "Supplier,Product,Data,").hasLineCount(3)
                .contains("Lagerboken " + fx.tag + ",Given name,1,2,").contains("Lagerboken " + fx.tag + ",Pseudonymous id,2,2,")
                .doesNotContain(fx.person("p6").toString());
        assertThat(audited("EXPORT_SUPPLIER_INVENTORY", dpo)).isOne();
        assertThat(officer.get("/ledger/suppliers/" + UUID.randomUUID() + "/inventory.csv").status()).isEqualTo(404);
        // an officer over another school: the supplier holds nothing about its persons (404, as one that does not exist),
        // and the feed's export holds none of these releases (LedgerScopeTest has the scoped lists)
        assertThat(other.get("/ledger/suppliers/" + holder + "/inventory.csv").status()).isEqualTo(404);
        WebSession.Answer feed = other.get("/ledger/feed.csv");
        assertThat(feed.status()).isEqualTo(200);
        assertThat(feed.body()).doesNotContain("Lagerboken " + fx.tag);
    }
}
