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
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.GrantScope;

/**
 * Import sources, import runs and upstream identity providers within the caller's DIRECTORY_ADMIN scope (issue 11), on real
 * PostgreSQL. Two organisers, each imported by a source of its own (Provby by source A: schools A1 and A2; Grannby by source B:
 * school B1), each with a scheduled import source, a run held by the deletion guard, an OpenID provider and a SAML IdP; a
 * source that has imported nothing yet; and one that imports a school below Provby and an organiser of its own (only partly
 * within Provby's grant, so not Provby's administrator's: its import would replace the other organiser too). Provby's administrator sees and manages Provby's only: Grannby's answer 404 exactly as
 * records that do not exist, are not listed and not counted; a school's and a school-form-narrowed administrator of Provby get
 * neither (an import replaces every school of its source, a provider signs in every pupil of its organiser); the
 * whole-installation administrator sees everything as before. And the audit trail's count is the count within scope.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SourceScopeTest extends IntegrationTest {

    private static final String PASSWORD = "source-scope-password";

    @LocalServerPort int port;
    @Autowired AdminAccounts accounts;
    @Autowired AdminGrants grants;
    @Autowired JdbcClient jdbc;
    @Autowired AuditTrail audit;

    private String u, sourceA, sourceB, sourceNew, organiserNameA, organiserNameB;
    private UUID organiserA, schoolA1, schoolA2, organiserB, schoolB1;
    private UUID srcA, srcB, srcNew, srcMixed, runA, runB, runNew, runMixed, oidcA, oidcB, samlA, samlB;
    private String root, whole, orgAdmin, schoolAdmin, formAdmin, auditorA, auditorWhole;

    @BeforeAll
    void setUp() {
        u = UUID.randomUUID().toString().substring(0, 8);
        sourceA = "scope-a-" + u;
        sourceB = "scope-b-" + u;
        sourceNew = "scope-new-" + u;
        organiserNameA = "Provby kommun " + u;
        organiserNameB = "Grannby kommun " + u;
        jdbc.sql("insert into directory_source (name, kind) values (:a, 'CSV'), (:b, 'CSV')").param("a", sourceA).param("b", sourceB).update();
        organiserA = organisation(sourceA, "ORGANISER", organiserNameA, null, new String[0]);
        schoolA1 = organisation(sourceA, "SCHOOL_UNIT", "Ekskolan " + u, organiserA, new String[] {"GR"});
        schoolA2 = organisation(sourceA, "SCHOOL_UNIT", "Lindskolan " + u, organiserA, new String[] {"GR", "FS"});
        organiserB = organisation(sourceB, "ORGANISER", organiserNameB, null, new String[0]);
        schoolB1 = organisation(sourceB, "SCHOOL_UNIT", "Björkskolan " + u, organiserB, new String[] {"GR"});

        // a source importing a unit below Provby and a unit of its own: not all of it lies within Provby's grant
        String sourceMixed = "scope-mixed-" + u;
        jdbc.sql("insert into directory_source (name, kind) values (:m, 'CSV')").param("m", sourceMixed).update();
        organisation(sourceMixed, "SCHOOL_UNIT", "Provby friskola " + u, organiserA, new String[] {"GR"});
        organisation(sourceMixed, "ORGANISER", "Fristående huvudman " + u, null, new String[0]);
        srcMixed = importSource(sourceMixed);
        runMixed = run(sourceMixed, "AWAITING_APPROVAL");
        srcA = importSource(sourceA);
        srcB = importSource(sourceB);
        srcNew = importSource(sourceNew);
        runA = run(sourceA, "AWAITING_APPROVAL");
        runB = run(sourceB, "AWAITING_APPROVAL");
        runNew = run(sourceNew, "SUCCEEDED");
        oidcA = oidc(organiserA);
        oidcB = oidc(organiserB);
        samlA = saml(organiserA);
        samlB = saml(organiserB);

        root = "src-root-" + u;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        whole = account("src-whole-" + u, AdminRight.DIRECTORY_ADMIN, GrantScope.wholeInstallationScope());
        orgAdmin = account("src-org-" + u, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(organiserA), Set.of()));
        schoolAdmin = account("src-school-" + u, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(schoolA1), Set.of()));
        formAdmin = account("src-gr-" + u, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(organiserA), Set.of("GR")));
        auditorA = account("src-audA-" + u, AdminRight.AUDITOR, GrantScope.units(Set.of(organiserA), Set.of()));
        auditorWhole = account("src-audW-" + u, AdminRight.AUDITOR, GrantScope.wholeInstallationScope());
    }

    private UUID organisation(String source, String kind, String name, UUID parent, String[] forms) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        insert into organisation (id, source, source_id, kind, name, parent_id, school_forms, content_hash)
                        values (:id, :s, :sid, :k, :n, :p, cast(:f as text[]), :h)""")
                .param("id", id).param("s", source).param("sid", id.toString()).param("k", kind).param("n", name).param("p", parent)
                .param("f", forms).param("h", UUID.randomUUID()).update();
        return id;
    }

    /** A source that last failed, due at no time soon (its daily full import is a day away), so no scheduler runs it meanwhile. */
    private UUID importSource(String name) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        insert into import_source (id, name, kind, url, full_at, enabled, next_full_at, last_outcome, last_failure, failures_in_a_row,
                                                   created_by)
                        values (:id, :name, 'ONEROSTER_URL', 'https://sis.example.se/' || :name || '.zip', '03:00', true, now() + interval '1 day',
                                'FAILED', 'UNREACHABLE', 1, 'test')""")
                .param("id", id).param("name", name).update();
        return id;
    }

    private UUID run(String source, String status) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        insert into import_run (id, source, format, mode, status, requested_by, finished_at, would_remove, removal_by_unit, removal_persons)
                        values (:id, :s, 'ONEROSTER', 'FULL', :status, 'test', now(), 3, cast('[]' as jsonb), cast('{}' as uuid[]))""")
                .param("id", id).param("s", source).param("status", status).update();
        return id;
    }

    private UUID oidc(UUID organiser) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        insert into sso_upstream_provider (id, organiser_id, issuer, client_id, client_secret, scopes, match_claim, match_field, registered_by)
                        values (:id, :o, 'https://idp.example.se/' || :id, 'tilldela', :secret, 'openid', 'email', 'EMAIL', 'test')""")
                .param("id", id).param("o", organiser).param("secret", new byte[] {1, 2, 3}).update();
        return id;
    }

    private UUID saml(UUID organiser) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        insert into sso_upstream_saml_idp (id, organiser_id, entity_id, sso_url, signing_certificates, metadata, match_attribute, match_field,
                                                           registered_by)
                        values (:id, :o, 'https://adfs.example.se/' || :id, 'https://adfs.example.se/sso', '{}', '<EntityDescriptor/>', 'NameID', 'EMAIL',
                                'test')""")
                .param("id", id).param("o", organiser).update();
        return id;
    }

    private String account(String name, AdminRight right, GrantScope scope) {
        accounts.create(root, name, "Test " + name, PASSWORD);
        grants.grant(root, name, right, scope);
        return name;
    }

    private RestClient client(String user) {
        return RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(user, PASSWORD)).build();
    }

    private int get(String user, String path, Object... vars) {
        return client(user).get().uri(path, vars).exchange((req, res) -> res.getStatusCode().value());
    }

    /** Status and body, for comparing two refusals. */
    private String send(String user, String method, String path, Object body, Object... vars) {
        var spec = client(user).method(org.springframework.http.HttpMethod.valueOf(method)).uri(path, vars);
        if (body != null) {
            spec = spec.contentType(MediaType.APPLICATION_JSON).body(body);
        }
        return spec.exchange((req, res) -> res.getStatusCode().value() + " " + new String(res.getBody().readAllBytes()));
    }

    /** An answer without its timestamp, to compare two refusals. */
    private static String untimed(String answer) {
        return answer.replaceAll("\"timestamp\":\"[^\"]*\",?", "");
    }

    private List<String> ids(String user, String path) {
        List<Map<String, Object>> rows = client(user).get().uri(path).retrieve().body(new ParameterizedTypeReference<>() { });
        return rows.stream().map(r -> (String) r.get("id")).toList();
    }

    private String status(UUID run) {
        return jdbc.sql("select status from import_run where id = :id").param("id", run).query(String.class).single();
    }

    private boolean exists(String table, UUID id) {
        return jdbc.sql("select exists (select 1 from " + table + " where id = :id)").param("id", id).query(Boolean.class).single();
    }

    @Test
    void anOrganisersAdministratorManagesThatOrganisersSourcesAndRunsOnly() {
        // listed: Provby's source and run, never Grannby's nor the source that has imported nothing yet
        assertThat(ids(orgAdmin, "/api/v1/import-sources")).contains(srcA.toString()).doesNotContain(srcB.toString(), srcNew.toString(),
                srcMixed.toString());
        assertThat(ids(orgAdmin, "/api/v1/imports")).contains(runA.toString()).doesNotContain(runB.toString(), runNew.toString(), runMixed.toString());
        assertThat(get(orgAdmin, "/api/v1/import-sources/{id}", srcA)).isEqualTo(200);
        assertThat(get(orgAdmin, "/api/v1/imports/{id}", runA)).isEqualTo(200);
        assertThat(get(orgAdmin, "/api/v1/imports/{id}/removal", runA)).isEqualTo(200);

        // Grannby's (and the unowned source's): 404 for every verb, as for an id that does not exist, and nothing changes
        for (UUID other : List.of(srcB, srcNew, srcMixed, UUID.randomUUID())) {
            assertThat(get(orgAdmin, "/api/v1/import-sources/{id}", other)).as("read").isEqualTo(404);
            assertThat(send(orgAdmin, "PUT", "/api/v1/import-sources/{id}", Map.of("name", sourceA, "kind", "ONEROSTER_URL",
                    "url", "https://sis.example.se/x.zip", "fullAt", "04:00"), other)).as("change").startsWith("404");
            assertThat(send(orgAdmin, "POST", "/api/v1/import-sources/{id}/run", null, other)).as("run now").startsWith("404");
            assertThat(send(orgAdmin, "DELETE", "/api/v1/import-sources/{id}", null, other)).as("delete").startsWith("404");
        }
        assertThat(exists("import_source", srcB)).isTrue();
        assertThat(jdbc.sql("select requested_at is null and full_at = '03:00' from import_source where id = :id").param("id", srcB)
                .query(Boolean.class).single()).as("B's source neither requested nor changed").isTrue();
        for (UUID other : List.of(runB, runNew, runMixed, UUID.randomUUID())) {
            assertThat(get(orgAdmin, "/api/v1/imports/{id}", other)).as("run").isEqualTo(404);
            assertThat(get(orgAdmin, "/api/v1/imports/{id}/removal", other)).as("removal").isEqualTo(404);
            assertThat(send(orgAdmin, "POST", "/api/v1/imports/{id}/discard", null, other)).as("discard").startsWith("404");
            assertThat(send(orgAdmin, "POST", "/api/v1/imports/{id}/approve?confirm=3", null, other)).as("approve").startsWith("404");
        }
        assertThat(status(runB)).isEqualTo("AWAITING_APPROVAL");

        // adding a source: under another organiser's source's name refused exactly as under a new name, and nothing is added
        Map<String, Object> named = Map.of("name", sourceB, "kind", "ONEROSTER_URL", "url", "https://sis.example.se/b.zip", "fullAt", "04:00");
        Map<String, Object> fresh = Map.of("name", "scope-fresh-" + u, "kind", "ONEROSTER_URL", "url", "https://sis.example.se/b.zip", "fullAt", "04:00");
        String refusedB = send(orgAdmin, "POST", "/api/v1/import-sources", named);
        String refusedFresh = send(orgAdmin, "POST", "/api/v1/import-sources", fresh);
        assertThat(refusedB).startsWith("400").doesNotContain("already");
        assertThat(untimed(refusedFresh)).isEqualTo(untimed(refusedB));
        assertThat(jdbc.sql("select count(*) from import_source where name like :n").param("n", "scope-%-" + u).query(Integer.class).single()).isEqualTo(4);

        // an upload into Grannby's source: 404 as for a source that does not exist, and no run is queued
        assertThat(upload(orgAdmin, sourceB)).startsWith("404");
        assertThat(upload(orgAdmin, "scope-nowhere-" + u)).startsWith("404");
        assertThat(jdbc.sql("select count(*) from import_run where source in (:s)").param("s", List.of(sourceB, "scope-nowhere-" + u))
                .query(Integer.class).single()).isEqualTo(1);

        // its own: run now is requested, the held run is discarded, each audited under its name
        assertThat(send(orgAdmin, "POST", "/api/v1/import-sources/{id}/run", null, srcA)).startsWith("202");
        assertThat(jdbc.sql("select count(*) from audit_event where actor = :a and target_id = :id").param("a", orgAdmin).param("id", srcA.toString())
                .query(Integer.class).single()).isEqualTo(1);
        UUID heldA = run(sourceA, "AWAITING_APPROVAL");
        assertThat(send(orgAdmin, "POST", "/api/v1/imports/{id}/discard", null, heldA)).startsWith("200");
        assertThat(status(heldA)).isEqualTo("DISCARDED");
        assertThat(jdbc.sql("select count(*) from audit_event where actor = :a and action = 'IMPORT_DISCARDED' and target_id = :id")
                .param("a", orgAdmin).param("id", heldA.toString()).query(Integer.class).single()).isEqualTo(1);
    }

    private String upload(String user, String source) {
        var parts = new org.springframework.util.LinkedMultiValueMap<String, Object>();
        parts.add("file", new org.springframework.core.io.ByteArrayResource("not a zip".getBytes()) {
            @Override
            public String getFilename() {
                return "elever.zip";
            }
        });
        parts.add("source", source);
        return client(user).post().uri("/api/v1/imports/oneroster").contentType(MediaType.MULTIPART_FORM_DATA).body(parts)
                .exchange((req, res) -> res.getStatusCode().value() + " " + new String(res.getBody().readAllBytes()));
    }

    @Test
    void aSchoolsOrAFormNarrowedAdministratorGetsNoSourceNoRunAndNoProvider() {
        for (String narrow : List.of(schoolAdmin, formAdmin)) {
            // an import replaces every school of the source: the API is not theirs at all
            assertThat(get(narrow, "/api/v1/import-sources")).as(narrow).isEqualTo(403);
            assertThat(get(narrow, "/api/v1/imports")).as(narrow).isEqualTo(403);
            assertThat(get(narrow, "/api/v1/imports/{id}", runA)).as(narrow).isEqualTo(403);
            // a provider signs in every pupil of the organiser: not listed, not found, not registered
            assertThat(ids(narrow, "/api/v1/sso/upstream-providers")).as(narrow).doesNotContain(oidcA.toString(), oidcB.toString());
            assertThat(ids(narrow, "/api/v1/sso/upstream-saml-providers")).as(narrow).doesNotContain(samlA.toString(), samlB.toString());
            assertThat(send(narrow, "DELETE", "/api/v1/sso/upstream-providers/{id}", null, oidcA)).as(narrow).startsWith("404");
            assertThat(send(narrow, "DELETE", "/api/v1/sso/upstream-saml-providers/{id}", null, samlA)).as(narrow).startsWith("404");
            WebSession web = new WebSession(port).signIn(narrow, PASSWORD);
            assertThat(web.get("/directory").body()).as(narrow).doesNotContain("href=\"/imports\"").doesNotContain(sourceA);
            assertThat(web.page("/imports/sources").status()).as(narrow).isEqualTo(403);
        }
        assertThat(exists("sso_upstream_provider", oidcA)).isTrue();
        assertThat(exists("sso_upstream_saml_idp", samlA)).isTrue();
    }

    @Test
    void anOrganisersAdministratorKeepsThatOrganisersIdentityProvidersOnly() {
        assertThat(ids(orgAdmin, "/api/v1/sso/upstream-providers")).contains(oidcA.toString()).doesNotContain(oidcB.toString());
        assertThat(ids(orgAdmin, "/api/v1/sso/upstream-saml-providers")).contains(samlA.toString()).doesNotContain(samlB.toString());
        Map<String, Object> change = Map.of("issuer", "https://idp.example.se/other", "clientId", "tilldela", "matchClaim", "email", "matchField", "EMAIL");
        for (UUID other : List.of(oidcB, UUID.randomUUID())) {
            assertThat(send(orgAdmin, "PUT", "/api/v1/sso/upstream-providers/{id}", change, other)).startsWith("404");
            assertThat(send(orgAdmin, "DELETE", "/api/v1/sso/upstream-providers/{id}", null, other)).startsWith("404");
        }
        for (UUID other : List.of(samlB, UUID.randomUUID())) {
            assertThat(send(orgAdmin, "PUT", "/api/v1/sso/upstream-saml-providers/{id}", Map.of("matchAttribute", "NameID", "matchField", "EMAIL"), other))
                    .startsWith("404");
            assertThat(send(orgAdmin, "DELETE", "/api/v1/sso/upstream-saml-providers/{id}", null, other)).startsWith("404");
        }
        assertThat(exists("sso_upstream_provider", oidcB)).isTrue();
        assertThat(exists("sso_upstream_saml_idp", samlB)).isTrue();
        // registering one for Grannby (which has one): 404 exactly as for an organiser that does not exist, not 409
        Map<String, Object> register = new java.util.HashMap<>(Map.of("issuer", "https://idp.example.se/b", "clientId", "tilldela", "clientSecret", "s3cret",
                "matchClaim", "email", "matchField", "EMAIL"));
        register.put("organiserId", organiserB);
        String refusedB = send(orgAdmin, "POST", "/api/v1/sso/upstream-providers", register);
        register.put("organiserId", UUID.randomUUID());
        String refusedNowhere = send(orgAdmin, "POST", "/api/v1/sso/upstream-providers", register);
        assertThat(refusedB).startsWith("404").doesNotContain(organiserNameB);
        assertThat(untimed(refusedNowhere)).isEqualTo(untimed(refusedB));
        Map<String, Object> samlRegister = new java.util.HashMap<>(Map.of("metadata", "<EntityDescriptor/>", "matchAttribute", "NameID", "matchField", "EMAIL"));
        samlRegister.put("organiserId", organiserB);
        assertThat(send(orgAdmin, "POST", "/api/v1/sso/upstream-saml-providers", samlRegister)).startsWith("404").doesNotContain(organiserNameB);
        // for its own organiser: the provider would sign in the organiser's administrators too, so registering one (or
        // changing whom it trusts) takes the right to manage their accounts as well; turning it off does not
        register.put("organiserId", organiserA);
        assertThat(send(orgAdmin, "POST", "/api/v1/sso/upstream-providers", register)).startsWith("403");
        assertThat(send(orgAdmin, "PUT", "/api/v1/sso/upstream-providers/{id}", change, oidcA)).startsWith("403");
        assertThat(jdbc.sql("select issuer from sso_upstream_provider where id = :id").param("id", oidcA).query(String.class).single())
                .isNotEqualTo("https://idp.example.se/other");
        Map<String, Object> off = new java.util.HashMap<>(Map.of("issuer", "https://idp.example.se/" + oidcA, "clientId", "tilldela", "matchClaim", "email",
                "matchField", "EMAIL", "enabled", false));
        assertThat(send(orgAdmin, "PUT", "/api/v1/sso/upstream-providers/{id}", off, oidcA)).startsWith("200");
        off.put("enabled", true);
        assertThat(send(orgAdmin, "PUT", "/api/v1/sso/upstream-providers/{id}", off, oidcA)).startsWith("200");
        String orgAccounts = account("src-orgacc-" + u, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(organiserA), Set.of()));
        grants.grant(root, orgAccounts, AdminRight.ACCOUNT_ADMIN, GrantScope.units(Set.of(organiserA), Set.of()));
        // with both, the ordinary answer: a conflict (it has one)
        assertThat(send(orgAccounts, "POST", "/api/v1/sso/upstream-providers", register)).startsWith("409");
        // and it removes its own, audited
        UUID samlA2 = saml(schoolA2);
        assertThat(send(orgAdmin, "DELETE", "/api/v1/sso/upstream-saml-providers/{id}", null, samlA2)).startsWith("204");
        assertThat(exists("sso_upstream_saml_idp", samlA2)).isFalse();
        assertThat(jdbc.sql("select count(*) from audit_event where actor = :a and action = 'SSO_UPSTREAM_SAML_IDP_REMOVED' and target_id = :id")
                .param("a", orgAdmin).param("id", samlA2.toString()).query(Integer.class).single()).isEqualTo(1);
    }

    @Test
    void theWebPagesFollowTheSameRule() {
        WebSession web = new WebSession(port).signIn(orgAdmin, PASSWORD);
        // the menu offers Imports, and the overview warns of Provby's failing source only
        String overview = web.page("/directory").body();
        assertThat(overview).contains("href=\"/imports\"").contains("/imports/sources/" + srcA).doesNotContain("/imports/sources/" + srcB)
                .doesNotContain("/imports/sources/" + srcNew);
        assertThat(web.page("/imports/sources").body()).contains(sourceA).doesNotContain(sourceB).doesNotContain(sourceNew);
        String runs = web.page("/imports").body();
        assertThat(runs).contains("/imports/" + runA).doesNotContain("/imports/" + runB).doesNotContain("/imports/" + runNew);
        String own = web.page("/imports/sources/" + srcA).body();
        assertThat(own).contains(sourceA);
        assertThat(web.page("/imports/sources/" + srcB).status()).isEqualTo(404);
        assertThat(web.page("/imports/" + runB).status()).isEqualTo(404);
        assertThat(web.page("/imports/" + runA).status()).isEqualTo(200);
        // posts with this session's valid form fields, at Grannby's: 404, and nothing changes
        Map<String, String> delete = WebSession.hiddenFields(own, "/imports/sources/" + srcA + "/delete");
        assertThat(web.post("/imports/sources/" + srcB + "/delete", delete).status()).isEqualTo(404);
        assertThat(exists("import_source", srcB)).isTrue();
        Map<String, String> discard = WebSession.hiddenFields(web.page("/imports/" + runA).body(), "/imports/" + runA + "/discard");
        assertThat(web.post("/imports/" + runB + "/discard", discard).status()).isEqualTo(404);
        assertThat(status(runB)).isEqualTo("AWAITING_APPROVAL");

        // the whole installation's administrator: everything, as before
        WebSession all = new WebSession(port).signIn(whole, PASSWORD);
        assertThat(all.page("/imports/sources").body()).contains(sourceA).contains(sourceB).contains(sourceNew);
        assertThat(all.page("/imports/sources/" + srcB).status()).isEqualTo(200);
        assertThat(all.page("/imports").body()).contains("/imports/" + runB).contains("/imports/" + runNew);
        assertThat(ids(whole, "/api/v1/import-sources")).contains(srcA.toString(), srcB.toString(), srcNew.toString(), srcMixed.toString());
        assertThat(ids(whole, "/api/v1/sso/upstream-providers")).contains(oidcA.toString(), oidcB.toString());
        assertThat(ids(whole, "/api/v1/sso/upstream-saml-providers")).contains(samlA.toString(), samlB.toString());
        assertThat(get(whole, "/api/v1/imports/{id}", runB)).isEqualTo(200);
    }

    @Test
    void theAuditTrailsCountIsTheCountWithinScope() {
        String actor = "src-actor-" + u;
        String inA = "SCOPE_TEST_A_" + u.toUpperCase(java.util.Locale.ROOT), inB = "SCOPE_TEST_B_" + u.toUpperCase(java.util.Locale.ROOT);
        audit.record(actor, inA, "organisation", schoolA1.toString(), Map.of());
        audit.record(actor, inA, "organisation", organiserA.toString(), Map.of());
        audit.record(actor, inB, "organisation", schoolB1.toString(), Map.of());
        audit.record(actor, inB, "organisation", organiserB.toString(), Map.of());
        audit.record(actor, inB, "organisation", schoolB1.toString(), Map.of());

        WebSession scoped = new WebSession(port).signIn(auditorA, PASSWORD);
        String page = scoped.page("/admin/audit?actor=" + actor + "&lang=en").body();
        // two events within Provby; Grannby's three neither listed nor counted, nor their action offered in the picker
        assertThat(page).contains("2 events").doesNotContain("5 events").doesNotContain(schoolB1.toString()).contains(inA).doesNotContain(inB);
        assertThat(scoped.page("/admin/audit?actor=" + actor + "&action=" + inB + "&lang=en").body()).contains("No events");
        String csv = scoped.get("/admin/audit/audit.csv?actor=" + actor).body();
        assertThat(csv.lines().filter(l -> l.contains(actor)).count()).isEqualTo(2);

        String all = new WebSession(port).signIn(auditorWhole, PASSWORD).page("/admin/audit?actor=" + actor + "&lang=en").body();
        assertThat(all).contains("5 events").contains(inA).contains(inB);
    }

    @Test
    void anOrganisersAuditorSeesTheEventsAboutThatOrganisersSourcesRunsAndProviders() {
        String actor = "src-actor-imports-" + u;
        // the removed ones are no longer in their tables: their removal's detail says whose they were
        UUID removedSourceA = UUID.randomUUID(), removedProviderA = UUID.randomUUID(), removedProviderB = UUID.randomUUID();
        List<UUID> inA = List.of(srcA, runA, oidcA, samlA, removedSourceA, removedProviderA);
        List<UUID> outside = List.of(srcB, runB, oidcB, samlB, srcMixed, runMixed, srcNew, runNew, removedProviderB);
        audit.record(actor, "IMPORT_SOURCE_RUN_REQUESTED", "import_source", srcA.toString(), Map.of("full", true));
        audit.record(actor, "IMPORT_SOURCE_RUN_REQUESTED", "import_source", srcB.toString(), Map.of("full", true));
        audit.record(actor, "IMPORT_SOURCE_RUN_REQUESTED", "import_source", srcMixed.toString(), Map.of("full", true));
        audit.record(actor, "IMPORT_SOURCE_RUN_REQUESTED", "import_source", srcNew.toString(), Map.of("full", true));
        audit.record(actor, "IMPORT_SOURCE_CREATED", "import_source", removedSourceA.toString(), Map.of("name", sourceA));
        audit.record(actor, "IMPORT_SOURCE_REMOVED", "import_source", removedSourceA.toString(), Map.of("name", sourceA));
        for (UUID run : List.of(runA, runB, runMixed, runNew)) {
            audit.record(actor, "IMPORT_DISCARDED", "import_run", run.toString(), Map.of());
        }
        audit.record(actor, "SSO_UPSTREAM_PROVIDER_CHANGED", "sso_upstream_provider", oidcA.toString(), Map.of("organiser", organiserA.toString()));
        audit.record(actor, "SSO_UPSTREAM_PROVIDER_CHANGED", "sso_upstream_provider", oidcB.toString(), Map.of("organiser", organiserB.toString()));
        audit.record(actor, "SSO_UPSTREAM_SAML_IDP_CHANGED", "sso_upstream_saml_idp", samlA.toString(), Map.of());
        audit.record(actor, "SSO_UPSTREAM_SAML_IDP_CHANGED", "sso_upstream_saml_idp", samlB.toString(), Map.of());
        audit.record(actor, "SSO_UPSTREAM_PROVIDER_REGISTERED", "sso_upstream_provider", removedProviderA.toString(), Map.of("organiser", organiserA.toString()));
        audit.record(actor, "SSO_UPSTREAM_PROVIDER_REMOVED", "sso_upstream_provider", removedProviderA.toString(), Map.of("organiser", organiserA.toString()));
        audit.record(actor, "SSO_UPSTREAM_PROVIDER_REMOVED", "sso_upstream_provider", removedProviderB.toString(), Map.of("organiser", organiserB.toString()));

        // Provby's auditor: Provby's source (also a removed one), its run, its two providers (also a removed one), 8 events in all;
        // not Grannby's, not the mixed source's nor the one that imported nothing yet
        WebSession scoped = new WebSession(port).signIn(auditorA, PASSWORD);
        String csv = scoped.get("/admin/audit/audit.csv?actor=" + actor).body();
        assertThat(csv.lines().filter(l -> l.contains(actor)).count()).isEqualTo(8);
        inA.forEach(id -> assertThat(csv).contains(id.toString()));
        outside.forEach(id -> assertThat(csv).doesNotContain(id.toString()));
        assertThat(scoped.page("/admin/audit?actor=" + actor + "&lang=en").body()).contains("8 events").contains("IMPORT_SOURCE_REMOVED");
        assertThat(scoped.page("/admin/audit?actor=" + actor + "&targetId=" + oidcB + "&lang=en").body()).contains("No events");

        // an auditor of Provby narrowed to a school form keeps no source and no provider (the import pages' rule), so sees none of them
        String formAuditor = account("src-audGR-" + u, AdminRight.AUDITOR, GrantScope.units(Set.of(organiserA), Set.of("GR")));
        String narrowed = new WebSession(port).signIn(formAuditor, PASSWORD).get("/admin/audit/audit.csv?actor=" + actor).body();
        assertThat(narrowed.lines().filter(l -> l.contains(actor)).count()).isZero();

        String all = new WebSession(port).signIn(auditorWhole, PASSWORD).get("/admin/audit/audit.csv?actor=" + actor).body();
        assertThat(all.lines().filter(l -> l.contains(actor)).count()).isEqualTo(17);
    }
}
