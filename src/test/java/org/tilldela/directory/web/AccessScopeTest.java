package org.tilldela.directory.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.HashMap;
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
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;
import org.springframework.web.util.HtmlUtils;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.access.AttributePackage;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.access.NewDataAccessRequest;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.GrantScope;
import org.tilldela.governance.ScopedMunicipality;
import org.tilldela.governance.Scopes;

/**
 * The access module within the caller's ACCESS_ADMIN scope (issue 11), on real PostgreSQL with the synthetic
 * municipality of {@link ScopedMunicipality}: a data-access request is made for school A, school B, their organiser and
 * the other organiser's school C. A school-A administrator sees and decides school A's only (everything else is 404, and
 * school B is not offered as a scope); an organiser's sees both its schools and the organiser's own, never the other
 * organiser's; a grant narrowed to a school form sees the agreements at the units it covers but decides none (an
 * agreement covers every pupil at its unit, whatever their form).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessScopeTest extends IntegrationTest {

    private static final String PASSWORD = "access-scope-password";

    @LocalServerPort int port;
    @Autowired AdminAccounts accounts;
    @Autowired AdminGrants grants;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired DataAccessAgreements agreements;
    @Autowired Scopes scopes;

    private ScopedMunicipality m;
    private String whole, schoolAdmin, organiserAdmin, preschoolAdmin;
    private UUID supplier, product, atA, atB, atOrganiser, atC;

    @BeforeAll
    void setUp() {
        m = new ScopedMunicipality(jdbc);
        String u = m.source;
        String root = "acc-root-" + u;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        whole = account("acc-whole-" + u, root, GrantScope.wholeInstallationScope());
        schoolAdmin = account("acc-a-" + u, root, GrantScope.units(Set.of(m.schoolA), Set.of()));
        organiserAdmin = account("acc-org-" + u, root, GrantScope.units(Set.of(m.organiser), Set.of()));
        preschoolAdmin = account("acc-fs-" + u, root, GrantScope.units(Set.of(m.organiser), Set.of("FS")));

        supplier = UUID.randomUUID();
        catalog.save(new Supplier(supplier, "Skopförlaget " + u, "55" + Long.toString(Math.abs(supplier.getLeastSignificantBits()) % 100_000_000L), "SE",
                Set.of("SE"), List.of(), List.of(new Supplier.ProcessingAgreement(UUID.randomUUID(), "pub-avtal.pdf", LocalDate.now().minusYears(1),
                LocalDate.now().plusYears(2), Set.of(m.organiser, m.otherOrganiser))), new Supplier.Contact("Kontakt", "kontakt@example.se", null)));
        product = UUID.randomUUID();
        catalog.save(new Product(product, "ART-" + product.toString().substring(0, 13), supplier, "Skopmatte " + u, "", Product.Kind.DIGITAL,
                List.of("GR"), List.of("4"), List.of("Matematik"), Product.LicenceModel.PER_USER, 12, new BigDecimal("99.00"), "SEK", null,
                Product.AccessMethod.OPENID_CONNECT, Set.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME).stream()
                .map(a -> new Product.DataNeed(a, "inloggning", 30, Set.of("SE"))).toList()));
        atA = file(m.schoolA);
        atB = file(m.schoolB);
        atOrganiser = file(m.organiser);
        atC = file(m.schoolC);
    }

    private String account(String name, String root, GrantScope scope) {
        accounts.create(root, name, "Test " + name, PASSWORD);
        grants.grant(root, name, AdminRight.ACCESS_ADMIN, scope);
        return name;
    }

    private UUID file(UUID unit) {
        return agreements.file(supplier, request(unit), "test").id();
    }

    private NewDataAccessRequest request(UUID unit) {
        return new NewDataAccessRequest(product, unit, AttributePackage.SMALL, Set.of(), "Inloggning", "Uppgift av allmänt intresse", 30);
    }

    private RestClient client(String user) {
        return RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(user, PASSWORD)).build();
    }

    private int get(String user, String path, Object... vars) {
        return client(user).get().uri(path, vars).exchange((req, res) -> res.getStatusCode().value());
    }

    private int post(String user, String path, Object body, Object... vars) {
        return client(user).post().uri(path, vars).contentType(org.springframework.http.MediaType.APPLICATION_JSON).body(body)
                .exchange((req, res) -> res.getStatusCode().value());
    }

    /** The ids of this test's supplier's requests the user lists through the API. */
    private List<String> listed(String user) {
        List<Map<String, Object>> rows = client(user).get().uri("/api/v1/access/requests?supplierId={s}", supplier).retrieve()
                .body(new ParameterizedTypeReference<>() { });
        return rows.stream().map(r -> (String) r.get("id")).toList();
    }

    private String state(UUID agreement) {
        return jdbc.sql("select state from data_access_agreement where id = :id").param("id", agreement).query(String.class).single();
    }

    private String name(UUID unit) {
        return jdbc.sql("select name from organisation where id = :id").param("id", unit).query(String.class).single();
    }

    @Test
    void aSchoolsAccessAdministratorSeesAndDecidesItsOwnSchoolsRequestsOnly() {
        assertThat(listed(schoolAdmin)).contains(atA.toString()).doesNotContain(atB.toString(), atOrganiser.toString(), atC.toString());
        assertThat(get(schoolAdmin, "/api/v1/access/requests/{id}", atA)).isEqualTo(200);
        // another school's, the organiser's above the grant and another organiser's: not there, not forbidden
        for (UUID other : List.of(atB, atOrganiser, atC)) {
            String before = state(other);
            assertThat(get(schoolAdmin, "/api/v1/access/requests/{id}", other)).as("read").isEqualTo(404);
            assertThat(post(schoolAdmin, "/api/v1/access/requests/{id}/approve", Map.of(), other)).as("approve").isEqualTo(404);
            assertThat(post(schoolAdmin, "/api/v1/access/requests/{id}/decline", Map.of("reason", "nej"), other)).as("decline").isEqualTo(404);
            assertThat(post(schoolAdmin, "/api/v1/access/requests/{id}/revoke", Map.of("reason", "nej"), other)).as("revoke").isEqualTo(404);
            assertThat(state(other)).as("unchanged").isEqualTo(before);
        }
        // and the same answer as for a request that does not exist at all
        assertThat(get(schoolAdmin, "/api/v1/access/requests/{id}", UUID.randomUUID())).isEqualTo(404);
        assertThat(post(schoolAdmin, "/api/v1/access/requests/{id}/approve", Map.of(), UUID.randomUUID())).isEqualTo(404);

        int filed = jdbc.sql("select count(*) from data_access_agreement where supplier_id = :s").param("s", supplier).query(Integer.class).single();
        // filing: for school B, refused exactly as for an organisation that does not exist
        Map<String, Object> body = new HashMap<>(Map.of("productId", product, "attributePackage", "SMALL", "purpose", "Inloggning",
                "legalBasis", "Uppgift av allmänt intresse", "retentionDays", 30));
        body.put("scopeId", m.schoolB);
        String refusedB = client(schoolAdmin).post().uri("/api/v1/access/requests").contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .body(body).exchange((req, res) -> res.getStatusCode().value() + " " + new String(res.getBody().readAllBytes()));
        body.put("scopeId", UUID.randomUUID());
        String refusedNowhere = client(schoolAdmin).post().uri("/api/v1/access/requests").contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .body(body).exchange((req, res) -> res.getStatusCode().value() + " " + new String(res.getBody().readAllBytes()));
        assertThat(refusedB).startsWith("422").contains(m.schoolB.toString()).doesNotContain(name(m.schoolB));
        assertThat(refusedNowhere).startsWith("422");
        body.put("scopeId", m.organiser);
        assertThat(post(schoolAdmin, "/api/v1/access/requests", body)).as("the organiser above the grant").isEqualTo(422);
        assertThat(jdbc.sql("select count(*) from data_access_agreement where supplier_id = :s").param("s", supplier).query(Integer.class).single())
                .isEqualTo(filed);

        // deciding its own school's works, and is audited under its name
        UUID mine = file(m.schoolA);
        assertThat(post(schoolAdmin, "/api/v1/access/requests/{id}/approve", Map.of(), mine)).isEqualTo(200);
        assertThat(state(mine)).isEqualTo("APPROVED");
        assertThat(jdbc.sql("select count(*) from audit_event where actor = :a and action = 'DATA_ACCESS_APPROVED' and target_id = :id")
                .param("a", schoolAdmin).param("id", mine.toString()).query(Integer.class).single()).isEqualTo(1);
    }

    @Test
    void theWebPagesFollowTheSameRule() {
        UUID atA = file(m.schoolA);
        UUID atB = file(m.schoolB);
        WebSession web = new WebSession(port).signIn(schoolAdmin, PASSWORD);
        // the menu offers /access to a scoped access administrator, and the start page leads there
        assertThat(web.get("/").location()).endsWith("/access");
        WebSession.Answer index = web.page("/access?state=REQUESTED");
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.body()).contains("href=\"/access\"").doesNotContain("href=\"/provisioning/connectors\"").doesNotContain("href=\"/sso/saml\"");
        assertThat(web.page("/access?state=REQUESTED").body()).contains("/access/requests/" + atA).doesNotContain("/access/requests/" + atB)
                .doesNotContain("/access/requests/" + atOrganiser).doesNotContain("/access/requests/" + atC);
        String own = web.page("/access/requests/" + atA).body();
        assertThat(own).contains("/access/requests/" + atA + "/approve");
        assertThat(web.page("/access/requests/" + atB).status()).isEqualTo(404);
        assertThat(web.page("/access/requests/" + atC).status()).isEqualTo(404);
        // a decision posted for school B's request (with this session's valid form fields): 404, and nothing changes
        Map<String, String> fields = WebSession.hiddenFields(own, "/access/requests/" + atA + "/decline");
        fields.put("reason", "inte vår");
        assertThat(web.post("/access/requests/" + atB + "/decline", fields).status()).isEqualTo(404);
        assertThat(state(atB)).isEqualTo("REQUESTED");

        // the scope picker offers school A, never school B nor the organiser above
        String picked = web.page("/access/pick/scopes?findScope=" + m.source.substring(m.source.indexOf('-') + 1)).body();
        assertThat(picked).contains(m.schoolA.toString()).doesNotContain(m.schoolB.toString()).doesNotContain(m.organiser.toString())
                .doesNotContain(m.schoolC.toString());
        assertThat(web.page("/access/pick/scopes?findScope=" + HtmlUtils.htmlEscape("B-skolan")).body()).doesNotContain(m.schoolB.toString());
        // without words: the top of its scope, its school
        assertThat(web.page("/access/requests/new?supplier=" + supplier).body()).contains(m.schoolA.toString()).doesNotContain(m.organiser.toString());

        // a supplier's page: its requests within the scope; its API clients and public-authority record are not a school's to change
        String supplierPage = web.page("/access/suppliers/" + supplier).body();
        assertThat(supplierPage).contains("/access/requests/" + atA).doesNotContain("/access/requests/" + atB)
                .doesNotContain("/access/suppliers/" + supplier + "/clients");
        Map<String, String> csrf = WebSession.hiddenFields(own, "/access/requests/" + atA + "/decline");
        assertThat(web.post("/access/suppliers/" + supplier + "/clients", csrf).status()).isEqualTo(403);
    }

    @Test
    void anOrganisersAccessAdministratorSeesBothItsSchoolsButNotAnotherOrganisers() {
        assertThat(listed(organiserAdmin)).contains(atA.toString(), atB.toString(), atOrganiser.toString()).doesNotContain(atC.toString());
        assertThat(get(organiserAdmin, "/api/v1/access/requests/{id}", atC)).isEqualTo(404);
        assertThat(post(organiserAdmin, "/api/v1/access/requests/{id}/decline", Map.of("reason", "nej"), atC)).isEqualTo(404);
        UUID atB = file(m.schoolB);
        assertThat(post(organiserAdmin, "/api/v1/access/requests/{id}/approve", Map.of(), atB)).isEqualTo(200);
        assertThat(state(atB)).isEqualTo("APPROVED");
        assertThat(post(organiserAdmin, "/api/v1/access/requests/{id}/revoke", Map.of("reason", "Avslutat samarbete"), atB)).isEqualTo(200);
        assertThat(state(atB)).isEqualTo("REVOKED");
        // and the whole installation's sees them all
        assertThat(listed(whole)).contains(atA.toString(), atB.toString(), atOrganiser.toString(), atC.toString());
    }

    @Test
    void aGrantNarrowedToASchoolFormSeesButNeverDecides() {
        // preschool at the organiser covers school B (which has a preschool) and the organiser above it; not school A (compulsory only)
        assertThat(listed(preschoolAdmin)).contains(atB.toString(), atOrganiser.toString()).doesNotContain(atA.toString(), atC.toString());
        assertThat(get(preschoolAdmin, "/api/v1/access/requests/{id}", atA)).isEqualTo(404);
        // an agreement reaches every pupil at its unit, compulsory-school pupils too: not for a preschool grant to decide
        assertThat(post(preschoolAdmin, "/api/v1/access/requests/{id}/approve", Map.of(), atOrganiser)).isEqualTo(422);
        assertThat(state(atOrganiser)).isEqualTo("REQUESTED");
        WebSession.Answer page = new WebSession(port).signIn(preschoolAdmin, PASSWORD).page("/access/requests/" + atOrganiser);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).doesNotContain("/access/requests/" + atOrganiser + "/approve");

        // the same on the re-approval page: the overview shows, the form does not, and a re-approval posted anyway changes nothing
        UUID due = agreements.approve(file(m.schoolB), null, null, "test").id();
        jdbc.sql("update data_access_agreement set reapproval_due = current_date + 3 where id = :id").param("id", due).update();
        WebSession web = new WebSession(port).signIn(preschoolAdmin, PASSWORD);
        WebSession.Answer overview = web.page("/access/reapprovals/" + due);
        assertThat(overview.status()).isEqualTo(200);
        assertThat(overview.body()).doesNotContain("action=\"/access/reapprovals/" + due + "\"");
        List<Map.Entry<String, String>> form = WebSession.toList(WebSession.hiddenFields(overview.body(), "/logout"));
        form.add(Map.entry("attributes", Attribute.PSEUDONYMOUS_ID.name()));
        form.add(Map.entry(org.tilldela.platform.FormSubmissions.FIELD, UUID.randomUUID().toString()));
        assertThat(web.follow(web.post("/access/reapprovals/" + due, form)).body())
                .contains(HtmlUtils.htmlEscape("This agreement covers more than your grant"));
        assertThat(jdbc.sql("select count(*) from data_access_step where agreement_id = :id and kind = 'REAPPROVED'").param("id", due)
                .query(Integer.class).single()).isZero();
        // the organiser's administrator (no school forms) re-approves it
        assertThat(new WebSession(port).signIn(organiserAdmin, PASSWORD).page("/access/reapprovals/" + due).body())
                .contains("action=\"/access/reapprovals/" + due + "\"");
        agreements.revoke(due, "test over", "test");
    }

    @Test
    void countsAreCountsWithinScope() {
        // a fresh product's agreements, all approved and due for re-approval tomorrow: one per unit
        UUID own = UUID.randomUUID();
        catalog.save(new Supplier(own, "Räkneförlaget " + m.source, "56" + Long.toString(Math.abs(own.getLeastSignificantBits()) % 100_000_000L), "SE",
                Set.of("SE"), List.of(), List.of(), new Supplier.Contact("Kontakt", "kontakt@example.se", null)));
        UUID other = UUID.randomUUID();
        catalog.save(new Product(other, "ART-" + other.toString().substring(0, 13), own, "Skopsvenska " + m.source, "", Product.Kind.DIGITAL,
                List.of("GR"), List.of("4"), List.of("Svenska"), Product.LicenceModel.PER_USER, 12, new BigDecimal("99.00"), "SEK", null,
                Product.AccessMethod.OPENID_CONNECT, List.of(new Product.DataNeed(Attribute.PSEUDONYMOUS_ID, "inloggning", 30, Set.of("SE")))));
        for (UUID unit : List.of(m.schoolA, m.schoolB, m.organiser, m.schoolC)) {
            UUID id = agreements.file(own, new NewDataAccessRequest(other, unit, AttributePackage.MINIMAL, Set.of(), "Inloggning", "Avtal", 0),
                    "test").id();
            agreements.approve(id, null, null, "test");
            jdbc.sql("update data_access_agreement set reapproval_due = current_date + 1 where id = :id").param("id", id).update();
        }
        assertThat(agreements.countDueForReapproval(scopes.of(schoolAdmin, AdminRight.ACCESS_ADMIN))).isEqualTo(1);
        assertThat(agreements.countDueForReapproval(scopes.of(organiserAdmin, AdminRight.ACCESS_ADMIN))).isEqualTo(3);
        // and the page says so
        String index = new WebSession(port).signIn(schoolAdmin, PASSWORD).page("/access?lang=en").body();
        assertThat(index).contains("1 data-access agreements come up for re-approval");
        String reapprovals = new WebSession(port).signIn(schoolAdmin, PASSWORD).page("/access/reapprovals").body();
        assertThat(reapprovals).contains(HtmlUtils.htmlEscape(name(m.schoolA))).doesNotContain(HtmlUtils.htmlEscape(name(m.schoolB)))
                .doesNotContain(HtmlUtils.htmlEscape(name(m.organiser)));
    }

    @Test
    void thePermittedProbeAndObjectionsAreForPersonsWithinTheScope() {
        assertThat(get(schoolAdmin, "/api/v1/access/persons/{p}/products/{q}/permitted", m.a1, product)).isEqualTo(200);
        assertThat(get(schoolAdmin, "/api/v1/access/persons/{p}/products/{q}/permitted", m.b1, product)).isEqualTo(404);
        assertThat(get(schoolAdmin, "/api/v1/access/persons/{p}/products/{q}/permitted", m.c1, product)).isEqualTo(404);
        assertThat(get(organiserAdmin, "/api/v1/access/persons/{p}/products/{q}/permitted", m.b1, product)).isEqualTo(200);
        assertThat(post(schoolAdmin, "/api/v1/access/objections", Map.of("personId", m.b1, "reason", "Vårdnadshavaren invänder"))).isEqualTo(404);
        assertThat(jdbc.sql("select count(*) from release_objection where person_id = :p").param("p", m.b1).query(Integer.class).single()).isZero();
        assertThat(post(schoolAdmin, "/api/v1/access/objections", Map.of("personId", m.a1, "reason", "Vårdnadshavaren invänder"))).isEqualTo(201);
    }
}
