package org.tilldela.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.web.client.RestClient;
import org.tilldela.WebSession;
import org.tilldela.catalog.Catalog;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.ScopedMunicipality;

/**
 * The ledger's lists that span persons, within the caller's DATA_PROTECTION_OFFICER scope (issue 11), on real
 * PostgreSQL with the synthetic municipality of {@link ScopedMunicipality} and the ledger of {@link LedgerScopeFixture}:
 * "both" holds data about school A's a1 and school B's b1, "onlyB" about school B's b1 and bProt (protected), all past
 * their deletion date. A school-A officer sees a1's disclosures, counts and deletions only, and "onlyB" is not
 * there for them (404); an organiser's officer sees both schools (bProt masked); the whole installation is unchanged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LedgerScopeTest extends LedgerTestSupport {

    private static final String PASSWORD = LedgerScopeFixture.PASSWORD;

    @LocalServerPort int port;
    @Autowired AdminAccounts accounts;
    @Autowired AdminGrants grants;
    @Autowired Catalog catalog;
    @Autowired Retention retention;

    private ScopedMunicipality m;
    private String whole, schoolOfficer, organiserOfficer;
    private UUID both, onlyB;
    private String bothName, onlyBName;

    @BeforeAll
    void setUp() {
        LedgerScopeFixture fx = new LedgerScopeFixture(jdbc, accounts, grants, catalog, retention, ledger, tx);
        m = fx.m;
        whole = fx.whole;
        schoolOfficer = fx.schoolOfficer;
        organiserOfficer = fx.organiserOfficer;
        both = fx.both;
        onlyB = fx.onlyB;
        bothName = fx.bothName;
        onlyBName = fx.onlyBName;
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
        // a person outside the scope, asked for by id: the picker names them no more than the rows do
        assertThat(web.page("/ledger/feed?person=" + m.b1).body()).doesNotContain(m.familyB);
        assertThat(web.page("/ledger/feed?person=" + m.a1).body()).contains(m.familyA);
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
