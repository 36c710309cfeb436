package org.tilldela.directory.web;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.GrantScope;
import org.tilldela.governance.ScopedMunicipality;

/**
 * The role matrix over the directory (issue 11): what each kind of grant sees through the API and pages,
 * on real PostgreSQL with a synthetic municipality. Out of scope is 404 and absent from search and counts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScopedDirectoryMatrixTest extends IntegrationTest {

    private static final String PASSWORD = "scoped-matrix-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AdminGrants grants;
    @Autowired
    JdbcClient jdbc;

    private ScopedMunicipality m;
    private String whole, schoolA, preschoolO, organiserProtectedA, organiserProtectedB, noRightHere;

    @BeforeAll
    void setUp() {
        m = new ScopedMunicipality(jdbc);
        String u = m.source;
        String root = "root-" + u;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        whole = account("whole-" + u, root);
        grants.grant(root, whole, AdminRight.DIRECTORY_ADMIN, GrantScope.wholeInstallationScope());
        schoolA = account("a-" + u, root);
        grants.grant(root, schoolA, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        preschoolO = account("fs-" + u, root);
        grants.grant(root, preschoolO, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.organiser), Set.of("FS")));
        organiserProtectedA = account("protA-" + u, root);
        grants.grant(root, organiserProtectedA, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.organiser), Set.of()));
        grants.grant(root, organiserProtectedA, AdminRight.VIEW_PROTECTED_IDENTITIES, GrantScope.units(Set.of(m.schoolA), Set.of()));
        organiserProtectedB = account("protB-" + u, root);
        grants.grant(root, organiserProtectedB, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.organiser), Set.of()));
        grants.grant(root, organiserProtectedB, AdminRight.VIEW_PROTECTED_IDENTITIES, GrantScope.units(Set.of(m.schoolB), Set.of()));
        // holds DIRECTORY_ADMIN (so the API lets it in) but over the other organiser only
        noRightHere = account("c-" + u, root);
        grants.grant(root, noRightHere, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.otherOrganiser), Set.of()));
    }

    private String account(String name, String root) {
        accounts.create(root, name, "Test " + name, PASSWORD);
        return name;
    }

    private RestClient client(String user) {
        return RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(user, PASSWORD)).build();
    }

    private int status(String user, String path, Object... vars) {
        return client(user).get().uri(path, vars).exchange((req, res) -> res.getStatusCode().value());
    }

    private Map<String, Object> get(String user, String path, Object... vars) {
        return client(user).get().uri(path, vars).retrieve().body(new ParameterizedTypeReference<>() { });
    }

    private List<Map<String, Object>> list(String user, String path, Object... vars) {
        return client(user).get().uri(path, vars).retrieve().body(new ParameterizedTypeReference<>() { });
    }

    @SuppressWarnings("unchecked")
    private List<String> personsFound(String user, String q) {
        return ((List<Map<String, Object>>) get(user, "/api/v1/directory/search?q={q}", q).get("persons")).stream()
                .map(p -> (String) p.get("personId")).toList();
    }

    @Test
    void aSchoolAdminGets404ForAnotherSchoolsPupilAndCannotFindThem() {
        assertThat(status(schoolA, "/api/v1/persons/{id}", m.a1)).isEqualTo(200);
        assertThat(status(schoolA, "/api/v1/persons/{id}", m.b1)).isEqualTo(404);
        assertThat(status(schoolA, "/api/v1/persons/{id}", m.c1)).isEqualTo(404);
        assertThat(status(schoolA, "/api/v1/groups/{id}", m.gB)).isEqualTo(404);
        assertThat(status(schoolA, "/api/v1/groups/{id}/members", m.gB)).isEqualTo(404);
        assertThat(status(schoolA, "/api/v1/organisations/{id}", m.schoolB)).isEqualTo(404);
        assertThat(status(schoolA, "/api/v1/organisations/{id}/groups", m.schoolB)).isEqualTo(404);
        // not even the organiser above the school: its counts would tell what lies beside it
        assertThat(status(schoolA, "/api/v1/organisations/{id}", m.organiser)).isEqualTo(404);
        assertThat(status(schoolA, "/api/v1/groups/{id}/members", m.gA)).isEqualTo(200);

        assertThat(personsFound(schoolA, m.familyB)).isEmpty();
        assertThat(personsFound(schoolA, m.familyA)).containsExactlyInAnyOrder(m.a1.toString(), m.tA.toString());
        assertThat(list(schoolA, "/api/v1/organisations")).extracting(o -> o.get("id")).containsExactly(m.schoolA.toString());

        // a school-B pupil's page in the web UI: not found, as in the API
        WebSession web = new WebSession(port).signIn(schoolA, PASSWORD);
        assertThat(web.get("/directory/groups/" + m.gB).status()).isEqualTo(404);
        assertThat(web.get("/directory/organisations/" + m.schoolB).status()).isEqualTo(404);
        assertThat(web.get("/directory/groups/" + m.gA).status()).isEqualTo(200);
        // the query itself is echoed in the search box; a hit would read "family, given"
        assertThat(web.get("/directory/search?q=" + m.familyB).body()).doesNotContain(m.familyB + ", Bo");
        assertThat(web.get("/directory/search?q=" + m.familyA).body()).contains(m.familyA + ", Alva");
    }

    @Test
    void aPreschoolGrantNeverSeesACompulsorySchoolPupil() {
        assertThat(status(preschoolO, "/api/v1/persons/{id}", m.b2)).isEqualTo(200);
        assertThat(status(preschoolO, "/api/v1/persons/{id}", m.b1)).isEqualTo(404);
        assertThat(status(preschoolO, "/api/v1/persons/{id}", m.a1)).isEqualTo(404);
        assertThat(status(preschoolO, "/api/v1/groups/{id}", m.gB)).isEqualTo(404);
        assertThat(status(preschoolO, "/api/v1/groups/{id}/members", m.gBpre)).isEqualTo(200);
        assertThat(personsFound(preschoolO, m.familyB)).isEmpty();
        assertThat(personsFound(preschoolO, m.familyPre)).containsExactly(m.b2.toString());
        // the school that serves only compulsory school is not there for it; the mixed one shows its preschool group only
        assertThat(list(preschoolO, "/api/v1/organisations/{id}/children", m.organiser)).extracting(o -> o.get("id"))
                .containsExactly(m.schoolB.toString());
        assertThat(list(preschoolO, "/api/v1/organisations/{id}/groups", m.schoolB)).extracting(g -> g.get("id"))
                .containsExactly(m.gBpre.toString());
        Map<String, Object> organiser = get(preschoolO, "/api/v1/organisations/{id}", m.organiser);
        assertThat(organiser).containsEntry("pupils", 1).containsEntry("groups", 1).containsEntry("staff", 0).containsEntry("childUnits", 1);
    }

    @Test
    void countsAreCountsWithinScope() {
        assertThat(get(schoolA, "/api/v1/directory/stats")).containsEntry("organisations", 1).containsEntry("persons", 2)
                .containsEntry("groups", 1).containsEntry("memberships", 1).containsEntry("duties", 1).containsEntry("guardianLinks", 0)
                .containsEntry("protectedPersons", 0);
        assertThat(get(organiserProtectedA, "/api/v1/directory/stats")).containsEntry("organisations", 3)
                // a1, tA, b1, bProt, b2 and b1's guardian
                .containsEntry("persons", 6).containsEntry("groups", 3).containsEntry("memberships", 4).containsEntry("guardianLinks", 1)
                .containsEntry("protectedPersons", 1);
        assertThat(get(organiserProtectedA, "/api/v1/organisations/{id}", m.organiser)).containsEntry("pupils", 4).containsEntry("groups", 3)
                .containsEntry("staff", 1).containsEntry("childUnits", 2);
        assertThat(get(noRightHere, "/api/v1/directory/stats")).containsEntry("organisations", 2).containsEntry("persons", 1);
        assertThat(status(noRightHere, "/api/v1/organisations/{id}", m.organiser)).isEqualTo(404);
    }

    @Test
    void theWholeInstallationGrantSeesEverything() {
        for (UUID person : List.of(m.a1, m.b1, m.b2, m.c1, m.bGuardian)) {
            assertThat(status(whole, "/api/v1/persons/{id}", person)).isEqualTo(200);
        }
        assertThat(list(whole, "/api/v1/organisations")).extracting(o -> o.get("id"))
                .contains(m.organiser.toString(), m.otherOrganiser.toString());
        assertThat(get(whole, "/api/v1/organisations/{id}", m.organiser)).containsEntry("pupils", 4).containsEntry("groups", 3);
        assertThat(personsFound(whole, m.familyB)).containsExactlyInAnyOrder(m.b1.toString(), m.bGuardian.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void protectedIdentitiesAreSeenOnlyWithinTheirOwnScope() {
        // both see the protected pupil's group (DIRECTORY_ADMIN over the organiser); only one may see who they are
        Map<String, Object> maskedForA = list(organiserProtectedA, "/api/v1/groups/{id}/members", m.gB).stream()
                .filter(p -> p.get("personId").equals(m.bProt.toString())).findFirst().orElseThrow();
        assertThat(maskedForA).containsEntry("masked", true).containsEntry("familyName", null);
        Map<String, Object> shownForB = list(organiserProtectedB, "/api/v1/groups/{id}/members", m.gB).stream()
                .filter(p -> p.get("personId").equals(m.bProt.toString())).findFirst().orElseThrow();
        assertThat(shownForB).containsEntry("masked", false).containsEntry("familyName", m.familyProtected);

        assertThat(personsFound(organiserProtectedA, m.familyProtected)).isEmpty();
        assertThat(personsFound(organiserProtectedB, m.familyProtected)).containsExactly(m.bProt.toString());
        assertThat((Map<String, Object>) (Object) get(organiserProtectedA, "/api/v1/persons/{id}", m.bProt)).containsEntry("masked", true);
    }

    @Test
    void aSchoolScopedDataProtectionOfficerReportsOnlyOnItsOwnSchoolsPupils() {
        String root = "root-" + m.source;
        String dpo = account("dpo-" + m.source, root);
        grants.grant(root, dpo, AdminRight.DATA_PROTECTION_OFFICER, GrantScope.units(Set.of(m.schoolA), Set.of()));
        assertThat(status(dpo, "/api/v1/ledger/persons/{id}", m.a1)).isEqualTo(200);
        assertThat(status(dpo, "/api/v1/ledger/persons/{id}", m.b1)).isEqualTo(404);
        assertThat(status(dpo, "/api/v1/ledger/persons/{id}/report.pdf", m.b1)).isEqualTo(404);
        // and a person no longer in the directory has no placement left to be within a school's scope
        assertThat(status(dpo, "/api/v1/ledger/persons/{id}", UUID.randomUUID())).isEqualTo(404);
        WebSession web = new WebSession(port).signIn(dpo, PASSWORD);
        assertThat(web.get("/ledger/persons/" + m.b1).status()).isEqualTo(404);
        assertThat(web.get("/ledger?q=" + m.familyB).body()).doesNotContain(m.familyB + ", Bo");
        assertThat(web.get("/ledger?q=" + m.familyA).body()).contains(m.familyA + ", Alva");
    }

    private UUID pool(UUID organiser, UUID scope) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        insert into licence_pool (id, product_id, organiser_id, scope_id, seats, starts_on, ends_on, created_by)
                        values (:id, :product, :organiser, :scope, 10, current_date, current_date + 365, 'test')""")
                .param("id", id).param("product", UUID.randomUUID()).param("organiser", organiser).param("scope", scope).update();
        return id;
    }

    @Test
    void aSchoolScopedLicenceAdministratorSeesItsOwnSchoolsPoolsAndPupilsOnly() {
        String root = "root-" + m.source;
        String licences = account("lic-" + m.source, root);
        grants.grant(root, licences, AdminRight.LICENCE_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        UUID poolA = pool(m.organiser, m.schoolA);
        UUID poolB = pool(m.organiser, m.schoolB);
        UUID organiserWide = pool(m.organiser, m.organiser);

        WebSession web = new WebSession(port).signIn(licences, PASSWORD);
        String list = web.get("/licences").body();
        assertThat(list).contains(poolA.toString()).doesNotContain(poolB.toString()).doesNotContain(organiserWide.toString());
        assertThat(web.get("/licences/pools/" + poolA).status()).isEqualTo(200);
        assertThat(web.get("/licences/pools/" + poolB).status()).isEqualTo(404);
        assertThat(web.get("/licences/pools/" + organiserWide).status()).isEqualTo(404);
        assertThat(web.get("/licences/persons/" + m.a1).status()).isEqualTo(200);
        assertThat(web.get("/licences/persons/" + m.b1).status()).isEqualTo(404);
        assertThat(status(licences, "/api/v1/persons/{id}/licences", m.a1)).isEqualTo(200);
        assertThat(status(licences, "/api/v1/persons/{id}/licences", m.b1)).isEqualTo(404);
        // the utilisation page filters by the grant too: school A's pools, never school B's
        String schoolBName = jdbc.sql("select name from organisation where id = :id").param("id", m.schoolB).query(String.class).single();
        WebSession.Answer utilisation = web.get("/utilisation");
        assertThat(utilisation.status()).isEqualTo(200);
        assertThat(utilisation.body()).doesNotContain("class=\"alert error\" role=\"alert\"")
                .doesNotContain(org.springframework.web.util.HtmlUtils.htmlEscape(schoolBName));
        // the whole-installation directory administrator still reads anyone's licences
        assertThat(status(whole, "/api/v1/persons/{id}/licences", m.b1)).isEqualTo(200);
    }

    @Test
    void partsNotYetFilteredByScopeAreForWholeInstallationGrantsOnly() {
        String root = "root-" + m.source;
        String access = account("acc-" + m.source, root);
        grants.grant(root, access, AdminRight.ACCESS_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        // a school's directory administrator runs no imports (an import replaces a whole source, every school in it)
        assertThat(status(schoolA, "/api/v1/imports")).isEqualTo(403);
        assertThat(status(whole, "/api/v1/imports")).isEqualTo(200);
        assertThat(status(access, "/api/v1/access/requests")).isEqualTo(403);
        String dpo = account("dpo2-" + m.source, root);
        grants.grant(root, dpo, AdminRight.DATA_PROTECTION_OFFICER, GrantScope.units(Set.of(m.schoolA), Set.of()));
        assertThat(status(dpo, "/api/v1/ledger/feed")).isEqualTo(403);
        assertThat(status(dpo, "/api/v1/ledger/suppliers")).isEqualTo(403);
        assertThat(status(dpo, "/api/v1/ledger/persons/{id}", m.a1)).isEqualTo(200);
        // the overview shows no installation-wide counts to a school's officer
        WebSession.Answer overview = new WebSession(port).signIn(dpo, PASSWORD).get("/ledger");
        assertThat(overview.status()).isEqualTo(200);
        // and the menu offers only the pages that open: no link that answers 403
        assertThat(overview.body()).contains("href=\"/ledger\"").doesNotContain("href=\"/purchase/approvals\"");
        assertThat(new WebSession(port).signIn(schoolA, PASSWORD).get("/directory").body()).contains("href=\"/directory\"")
                .doesNotContain("href=\"/imports\"");
        assertThat(new WebSession(port).signIn(whole, PASSWORD).get("/directory").body()).contains("href=\"/imports\"");
        String accessPage = new WebSession(port).signIn(access, PASSWORD).get("/").body();
        assertThat(accessPage).doesNotContain("href=\"/access\"").doesNotContain("href=\"/provisioning/connectors\"");
    }

    @Test
    void aRevokedGrantOrADisabledAccountSeesNothingAtOnce() {
        String u = m.source;
        String root = "root-" + u;
        String leaver = account("leaver-" + u, root);
        AdminGrants.Grant grant = grants.grant(root, leaver, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        grants.grant(root, leaver, AdminRight.LICENCE_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        assertThat(status(leaver, "/api/v1/persons/{id}", m.a1)).isEqualTo(200);
        assertThat(grants.revoke(root, leaver, grant.id())).isTrue();
        assertThat(status(leaver, "/api/v1/persons/{id}", m.a1)).isEqualTo(403);

        // a disabled account's web session, opened before, no longer finds anyone: its scope is read at every request
        String mover = account("mover-" + u, root);
        grants.grant(root, mover, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        WebSession open = new WebSession(port).signIn(mover, PASSWORD);
        assertThat(open.get("/directory/groups/" + m.gA).status()).isEqualTo(200);
        assertThat(accounts.setEnabled(root, mover, false)).isTrue();
        assertThat(open.get("/directory/groups/" + m.gA).status()).isIn(302, 401, 404);
        assertThat(status(mover, "/api/v1/persons/{id}", m.a1)).isEqualTo(401);
    }
}
