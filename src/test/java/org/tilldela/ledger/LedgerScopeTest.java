package org.tilldela.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.web.client.RestClient;
import org.tilldela.WebSession;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.GrantScope;
import org.tilldela.governance.ScopedMunicipality;

/**
 * The ledger's lists that span persons, within the caller's DATA_PROTECTION_OFFICER scope (issue 11), on real
 * PostgreSQL with the synthetic municipality of {@link ScopedMunicipality}. Two recipients: "both" received data about
 * school A's pupil a1 and school B's pupil b1; "onlyB" about b1 and the protected pupil bProt only. All four holdings
 * are past their deletion date. A school-A officer sees a1's disclosures, counts and deletions only, and "onlyB" is not
 * there for them (404); an organiser's officer sees both schools (bProt masked); the whole installation is unchanged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LedgerScopeTest extends LedgerTestSupport {

    private static final String PASSWORD = "ledger-scope-password";

    @LocalServerPort int port;
    @Autowired AdminAccounts accounts;
    @Autowired AdminGrants grants;
    @Autowired Catalog catalog;
    @Autowired Retention retention;

    private ScopedMunicipality m;
    private String whole, schoolOfficer, organiserOfficer;
    private UUID both, onlyB, productBoth, productOnlyB;
    private String bothName, onlyBName;

    @BeforeAll
    void setUp() {
        m = new ScopedMunicipality(jdbc);
        String u = m.source;
        String root = "led-root-" + u;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        whole = officer("led-whole-" + u, root, GrantScope.wholeInstallationScope());
        schoolOfficer = officer("led-a-" + u, root, GrantScope.units(Set.of(m.schoolA), Set.of()));
        organiserOfficer = officer("led-org-" + u, root, GrantScope.units(Set.of(m.organiser), Set.of()));

        bothName = "Tvåskoleförlaget " + u;
        onlyBName = "Bskoleförlaget " + u;
        both = supplier(bothName);
        onlyB = supplier(onlyBName);
        productBoth = product(both, "Läsresan " + u);
        productOnlyB = product(onlyB, "Räknestigen " + u);
        append(List.of(disclosure(m.a1, both, productBoth, Channel.SCIM_PUSH, SMALL), disclosure(m.b1, both, productBoth, Channel.SCIM_PUSH, SMALL),
                disclosure(m.b1, onlyB, productOnlyB, Channel.SCIM_PUSH, SMALL), disclosure(m.bProt, onlyB, productOnlyB, Channel.SCIM_PUSH, SMALL)));
        // the relations ended long ago: every holding is past its deletion date (90 days' retention) and none was requested
        LocalDate endedOn = today().minusYears(8);
        tx.executeWithoutResult(s -> {
            retention.relationsEnded(List.of(m.a1, m.b1), productBoth, endedOn);
            retention.relationsEnded(List.of(m.b1, m.bProt), productOnlyB, endedOn);
        });
    }

    private String officer(String name, String root, GrantScope scope) {
        accounts.create(root, name, "Test " + name, PASSWORD);
        grants.grant(root, name, AdminRight.DATA_PROTECTION_OFFICER, scope);
        return name;
    }

    private UUID supplier(String name) {
        UUID id = UUID.randomUUID();
        catalog.save(new Supplier(id, name, "55" + Long.toString(Math.abs(id.getLeastSignificantBits()) % 100_000_000L), "SE", Set.of("SE"), List.of(),
                List.of(new Supplier.ProcessingAgreement(UUID.randomUUID(), "pub-avtal.pdf", today().minusYears(1), today().plusYears(2),
                        Set.of(m.organiser))), new Supplier.Contact("Kontakt", "kontakt@example.se", null)));
        return id;
    }

    private UUID product(UUID supplier, String title) {
        UUID id = UUID.randomUUID();
        catalog.save(new Product(id, "ART-" + id.toString().substring(0, 13), supplier, title, "", Product.Kind.DIGITAL, List.of("GR"), List.of("4"),
                List.of("Svenska"), Product.LicenceModel.PER_USER, 12, new BigDecimal("99.00"), "SEK", null, Product.AccessMethod.OPENID_CONNECT,
                Set.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME).stream()
                        .map(a -> new Product.DataNeed(a, "inloggning", 30, Set.of("SE"))).toList()));
        return id;
    }

    private RestClient client(String user) {
        return RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(user, PASSWORD)).build();
    }

    private int status(String user, String path, Object... vars) {
        return client(user).get().uri(path, vars).exchange((req, res) -> res.getStatusCode().value());
    }

    private List<Map<String, Object>> rows(String user, String path, Object... vars) {
        return client(user).get().uri(path, vars).retrieve().body(new ParameterizedTypeReference<>() { });
    }

    private String text(String user, String path, Object... vars) {
        return client(user).get().uri(path, vars).retrieve().body(String.class);
    }

    /** The persons of this test's disclosures to {@code supplier} in the user's feed. */
    private List<String> fed(String user, UUID supplier) {
        return rows(user, "/api/v1/ledger/feed?supplier={s}", supplier).stream().map(r -> (String) r.get("personId")).toList();
    }

    /** This test's suppliers in the user's overview, by id: persons, products, overdue. */
    private Map<String, List<Number>> overview(String user) {
        return rows(user, "/api/v1/ledger/suppliers").stream()
                .filter(r -> List.of(both.toString(), onlyB.toString()).contains((String) r.get("supplierId")))
                .collect(java.util.stream.Collectors.toMap(r -> (String) r.get("supplierId"),
                        r -> List.of((Number) r.get("persons"), (Number) r.get("products"), (Number) r.get("overdue"))));
    }

    /** The persons in the user's overdue deletions and due deletions (API). */
    private List<String> overduePersons(String user) {
        return rows(user, "/api/v1/ledger/deletions/overdue").stream().map(r -> (String) r.get("personId")).toList();
    }

    private List<String> duePersons(String user) {
        return rows(user, "/api/v1/ledger/deletions/due").stream().map(r -> (String) r.get("personId")).toList();
    }

    @Test
    void aSchoolsOfficerSeesTheirSchoolsPersonsOnlyInTheFeedTheOverviewAndTheDeletions() {
        assertThat(fed(schoolOfficer, both)).containsExactly(m.a1.toString());
        assertThat(fed(schoolOfficer, onlyB)).isEmpty();
        assertThat(rows(schoolOfficer, "/api/v1/ledger/feed?person={p}", m.b1)).as("a person outside the scope, asked for by id").isEmpty();

        // counts within scope: one person, one product, one overdue at "both"; "onlyB" holds nothing about school A
        assertThat(overview(schoolOfficer)).containsOnlyKeys(both.toString());
        assertThat(overview(schoolOfficer).get(both.toString())).extracting(Number::longValue).containsExactly(1L, 1L, 1L);

        assertThat(overduePersons(schoolOfficer)).contains(m.a1.toString()).doesNotContain(m.b1.toString(), m.bProt.toString());
        assertThat(duePersons(schoolOfficer)).contains(m.a1.toString()).doesNotContain(m.b1.toString(), m.bProt.toString());
        assertThat(text(schoolOfficer, "/api/v1/ledger/deletions/overdue.csv")).contains(m.a1.toString())
                .doesNotContain(m.b1.toString(), m.bProt.toString(), onlyBName);
    }

    @Test
    void aSupplierHoldingNothingAboutTheSchoolsPersonsIsNotThereForItsOfficer() {
        assertThat(status(schoolOfficer, "/api/v1/ledger/suppliers/{id}", onlyB)).isEqualTo(404);
        Map<String, Object> inventory = client(schoolOfficer).get().uri("/api/v1/ledger/suppliers/{id}", both).retrieve()
                .body(new ParameterizedTypeReference<>() { });
        assertThat(((Number) inventory.get("persons")).longValue()).isEqualTo(1);
        assertThat((List<?>) inventory.get("products")).singleElement()
                .satisfies(p -> assertThat(((Number) ((Map<?, ?>) p).get("overdue")).longValue()).isEqualTo(1));
        // the whole installation still reads "onlyB"'s inventory: two persons
        Map<String, Object> wholeInventory = client(whole).get().uri("/api/v1/ledger/suppliers/{id}", onlyB).retrieve()
                .body(new ParameterizedTypeReference<>() { });
        assertThat(((Number) wholeInventory.get("persons")).longValue()).isEqualTo(2);
    }

    @Test
    void theSchoolsOfficersPagesAndExportsFollowTheScope() {
        WebSession web = new WebSession(port).signIn(schoolOfficer, PASSWORD);
        WebSession.Answer index = web.page("/ledger");
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.body()).contains(bothName, "/ledger/suppliers/" + both, "/ledger/feed", "/ledger/deletions")
                .doesNotContain(onlyBName, "/ledger/verify");
        assertThat(web.page("/ledger/suppliers/" + onlyB).status()).isEqualTo(404);
        assertThat(web.page("/ledger/suppliers/" + onlyB + "/inventory.csv").status()).isEqualTo(404);
        assertThat(web.page("/ledger/suppliers/" + both).body()).contains(bothName, "Läsresan");
        String inventoryCsv = web.page("/ledger/suppliers/" + both + "/inventory.csv").body();
        // one row per kind of data, each for one person (a1): "…,1,1,…"
        assertThat(inventoryCsv).contains(bothName).doesNotContain(",2,");

        String feed = web.page("/ledger/feed?supplier=" + both).body();
        assertThat(feed).contains(m.familyA).doesNotContain(m.familyB);
        assertThat(web.page("/ledger/feed?supplier=" + onlyB).body()).doesNotContain(m.familyB, m.familyProtected);
        String feedCsv = web.page("/ledger/feed.csv?supplier=" + both).body();
        assertThat(feedCsv).contains(m.a1.toString(), m.familyA).doesNotContain(m.b1.toString(), m.familyB);

        String deletions = web.page("/ledger/deletions").body();
        assertThat(deletions).contains("/ledger/persons/" + m.a1).doesNotContain(m.b1.toString(), m.bProt.toString());
        assertThat(web.page("/ledger/deletions.csv").body()).contains(m.a1.toString()).doesNotContain(m.b1.toString(), m.bProt.toString());

        // the chain vouches for the whole ledger: not for a school's officer
        assertThat(web.page("/ledger/verify").status()).isEqualTo(403);
        assertThat(status(schoolOfficer, "/api/v1/ledger/checkpoint")).isEqualTo(403);
    }

    @Test
    void anOrganisersOfficerSeesBothSchoolsWithTheProtectedPupilMasked() {
        assertThat(fed(organiserOfficer, both)).containsExactlyInAnyOrder(m.a1.toString(), m.b1.toString());
        assertThat(fed(organiserOfficer, onlyB)).containsExactlyInAnyOrder(m.b1.toString(), m.bProt.toString());
        Map<String, List<Number>> counts = overview(organiserOfficer);
        assertThat(counts.get(both.toString())).extracting(Number::longValue).containsExactly(2L, 1L, 2L);
        assertThat(counts.get(onlyB.toString())).extracting(Number::longValue).containsExactly(2L, 1L, 2L);
        assertThat(status(organiserOfficer, "/api/v1/ledger/suppliers/{id}", onlyB)).isEqualTo(200);
        assertThat(overduePersons(organiserOfficer)).contains(m.a1.toString(), m.b1.toString(), m.bProt.toString());

        WebSession web = new WebSession(port).signIn(organiserOfficer, PASSWORD);
        String feed = web.page("/ledger/feed?supplier=" + onlyB).body();
        assertThat(feed).contains(m.familyB).doesNotContain(m.familyProtected);
        assertThat(web.page("/ledger/feed.csv?supplier=" + onlyB).body()).contains(m.bProt.toString()).doesNotContain(m.familyProtected);
    }

    @Test
    void theWholeInstallationIsUnchanged() {
        assertThat(fed(whole, both)).containsExactlyInAnyOrder(m.a1.toString(), m.b1.toString());
        Map<String, List<Number>> counts = overview(whole);
        assertThat(counts.get(both.toString())).extracting(Number::longValue).containsExactly(2L, 1L, 2L);
        assertThat(counts.get(onlyB.toString())).extracting(Number::longValue).containsExactly(2L, 1L, 2L);
        assertThat(text(whole, "/api/v1/ledger/deletions/overdue.csv")).contains(m.a1.toString(), m.b1.toString(), m.bProt.toString());
        WebSession web = new WebSession(port).signIn(whole, PASSWORD);
        assertThat(web.page("/ledger").body()).contains(bothName, onlyBName, "/ledger/verify");
        assertThat(web.page("/ledger/verify").status()).isEqualTo(200);
    }
}
