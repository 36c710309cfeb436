package org.tilldela.governance.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
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
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.ScopedMunicipality;

/**
 * Accounts over the API: created, granted, revoked and disabled, each audited, and never beyond the
 * granting account's own rights and scope (no privilege escalation).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountApiTest extends IntegrationTest {

    private static final String PASSWORD = "account-api-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AuditTrail audit;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    org.tilldela.governance.AdminGrants grants;

    private ScopedMunicipality m;
    private String root;

    @BeforeAll
    void setUp() {
        m = new ScopedMunicipality(jdbc);
        root = "root-" + m.source;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
    }

    private RestClient client(String user) {
        return RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(user, PASSWORD)).build();
    }

    private int post(String user, String path, Object body, Object... vars) {
        return client(user).post().uri(path, vars).contentType(MediaType.APPLICATION_JSON).body(body)
                .exchange((req, res) -> res.getStatusCode().value());
    }

    private Map<String, Object> postForBody(String user, String path, Object body, Object... vars) {
        return client(user).post().uri(path, vars).contentType(MediaType.APPLICATION_JSON).body(body).retrieve()
                .body(new ParameterizedTypeReference<>() { });
    }

    private int status(String user, String path, Object... vars) {
        return client(user).get().uri(path, vars).exchange((req, res) -> res.getStatusCode().value());
    }

    private String newAccount(String actor, String name) {
        assertThat(post(actor, "/api/v1/admin-accounts", Map.of("username", name, "displayName", "Test " + name, "password", PASSWORD)))
                .isEqualTo(201);
        return name;
    }

    private static Map<String, Object> units(AdminRight right, List<?> organisations, List<String> forms) {
        return Map.of("right", right.name(), "organisations", organisations, "schoolForms", forms);
    }

    @Test
    void aSchoolAccountAdminGrantsOnlyWhatItHoldsWithinItsOwnScope() {
        String schoolAdmin = newAccount(root, "sa-" + m.source);
        assertThat(post(root, "/api/v1/admin-accounts/{u}/grants", units(AdminRight.DIRECTORY_ADMIN, List.of(m.schoolA), List.of()), schoolAdmin))
                .isEqualTo(201);
        assertThat(post(root, "/api/v1/admin-accounts/{u}/grants", units(AdminRight.ACCOUNT_ADMIN, List.of(m.schoolA), List.of()), schoolAdmin))
                .isEqualTo(201);

        String helper = newAccount(schoolAdmin, "helper-" + m.source);
        // within its school, narrower or equal: allowed
        assertThat(post(schoolAdmin, "/api/v1/admin-accounts/{u}/grants", units(AdminRight.DIRECTORY_ADMIN, List.of(m.schoolA), List.of("GR")), helper))
                .isEqualTo(201);
        // another school, the organiser above, the whole installation: beyond its scope
        assertThat(post(schoolAdmin, "/api/v1/admin-accounts/{u}/grants", units(AdminRight.DIRECTORY_ADMIN, List.of(m.schoolB), List.of()), helper))
                .isEqualTo(403);
        assertThat(post(schoolAdmin, "/api/v1/admin-accounts/{u}/grants", units(AdminRight.DIRECTORY_ADMIN, List.of(m.organiser), List.of()), helper))
                .isEqualTo(403);
        assertThat(post(schoolAdmin, "/api/v1/admin-accounts/{u}/grants", Map.of("right", "DIRECTORY_ADMIN", "wholeInstallation", true), helper))
                .isEqualTo(403);
        // a right it does not hold, even within its school
        assertThat(post(schoolAdmin, "/api/v1/admin-accounts/{u}/grants", units(AdminRight.VIEW_PROTECTED_IDENTITIES, List.of(m.schoolA), List.of()),
                helper)).isEqualTo(403);
        assertThat(post(schoolAdmin, "/api/v1/admin-accounts/{u}/grants", units(AdminRight.LICENCE_ADMIN, List.of(m.schoolA), List.of()), helper))
                .isEqualTo(403);
        // nor to itself: what it would grant itself beyond its scope is refused the same way — and within it too (a copy of
        // a right a duty rule gave would outlive the duty)
        assertThat(post(schoolAdmin, "/api/v1/admin-accounts/{u}/grants", units(AdminRight.DIRECTORY_ADMIN, List.of(m.schoolB), List.of()), schoolAdmin))
                .isEqualTo(403);
        assertThat(post(schoolAdmin, "/api/v1/admin-accounts/{u}/grants", units(AdminRight.DIRECTORY_ADMIN, List.of(m.schoolA), List.of()), schoolAdmin))
                .isEqualTo(403);

        assertThat(audit.about("admin_account", helper)).extracting(AuditTrail.Entry::action)
                .containsExactly("ADMIN_RIGHT_GRANTED", "ADMIN_ACCOUNT_CREATED");
        assertThat(audit.about("admin_account", helper).getFirst().actor()).isEqualTo(schoolAdmin);
    }

    @Test
    void accountsBeyondReachAreNotFoundAndCannotBeDisabled() {
        String schoolAdmin = newAccount(root, "sb-" + m.source);
        post(root, "/api/v1/admin-accounts/{u}/grants", units(AdminRight.ACCOUNT_ADMIN, List.of(m.schoolB), List.of()), schoolAdmin);
        // root holds rights over the whole installation: beyond a school's reach
        assertThat(status(schoolAdmin, "/api/v1/admin-accounts/{u}", root)).isEqualTo(404);
        assertThat(post(schoolAdmin, "/api/v1/admin-accounts/{u}/disable", Map.of(), root)).isEqualTo(404);
        List<Map<String, Object>> listed = client(schoolAdmin).get().uri("/api/v1/admin-accounts").retrieve()
                .body(new ParameterizedTypeReference<>() { });
        assertThat(listed).extracting(a -> a.get("username")).doesNotContain(root).contains(schoolAdmin);
        // an account without ACCOUNT_ADMIN cannot use the API at all
        String plain = newAccount(root, "plain-" + m.source);
        assertThat(status(plain, "/api/v1/admin-accounts")).isEqualTo(403);
    }

    @Test
    @SuppressWarnings("unchecked")
    void grantsAreRevokedAndAccountsDisabledAudited() {
        String worker = newAccount(root, "worker-" + m.source);
        Map<String, Object> grant = postForBody(root, "/api/v1/admin-accounts/{u}/grants", units(AdminRight.DIRECTORY_ADMIN, List.of(m.schoolA), List.of()),
                worker);
        assertThat(status(worker, "/api/v1/persons/{id}", m.a1)).isEqualTo(200);
        int revoked = client(root).delete().uri("/api/v1/admin-accounts/{u}/grants/{id}", worker, grant.get("id"))
                .exchange((req, res) -> res.getStatusCode().value());
        assertThat(revoked).isEqualTo(204);
        assertThat(status(worker, "/api/v1/persons/{id}", m.a1)).isEqualTo(403);
        assertThat((List<Object>) client(root).get().uri("/api/v1/admin-accounts/{u}", worker).retrieve()
                .body(new ParameterizedTypeReference<Map<String, Object>>() { }).get("grants")).isEmpty();

        Map<String, Object> disabled = postForBody(root, "/api/v1/admin-accounts/{u}/disable", Map.of(), worker);
        assertThat(disabled).containsEntry("enabled", false);
        assertThat(status(worker, "/api/v1/admin-accounts")).isEqualTo(401);
        assertThat(post(root, "/api/v1/admin-accounts/{u}/disable", Map.of(), root)).isEqualTo(400);
        // (the disabled account's refused sign-in is audited too)
        assertThat(audit.about("admin_account", worker)).extracting(AuditTrail.Entry::action).filteredOn(a -> a.startsWith("ADMIN_"))
                .containsExactly("ADMIN_ACCOUNT_DISABLED", "ADMIN_RIGHT_REVOKED", "ADMIN_RIGHT_GRANTED", "ADMIN_ACCOUNT_CREATED");
    }

    @Test
    void thePagesCreateAnAccountGrantWithinScopeRevokeAndDisable() {
        WebSession web = new WebSession(port).signIn(root, PASSWORD);
        String name = "paged-" + m.source;
        WebSession.Answer list = web.get("/admin/accounts?lang=sv");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).contains("Administratörskonton");
        Map<String, String> create = WebSession.hiddenFields(list.body(), "/admin/accounts");
        create.put("username", name);
        create.put("displayName", "Paged Person");
        create.put("password", PASSWORD);
        WebSession.Answer created = web.post("/admin/accounts", create);
        assertThat(created.location()).endsWith("/admin/accounts/" + name);

        WebSession.Answer page = web.follow(created);
        assertThat(page.body()).contains("Paged Person");
        // the units to grant over are found by name (the grant form's picker, here as a plain search without JavaScript)
        assertThat(web.get("/admin/accounts/" + name + "?findUnit=" + m.source.replace("scopes-", "A-skolan+")).body())
                .contains(m.source.replace("scopes-", "A-skolan "));
        List<Map.Entry<String, String>> grant = new java.util.ArrayList<>(WebSession.hiddenFields(page.body(), "/admin/accounts/" + name + "/grants")
                .entrySet());
        grant.add(Map.entry("right", "DIRECTORY_ADMIN"));
        grant.add(Map.entry("scope", "units"));
        grant.add(Map.entry("organisations", m.schoolB.toString()));
        grant.add(Map.entry("schoolForms", "FS"));
        page = web.follow(web.post("/admin/accounts/" + name + "/grants", grant));
        assertThat(page.body()).contains("B-skolan " + m.source.substring("scopes-".length())).contains("FS");
        assertThat(status(name, "/api/v1/persons/{id}", m.b2)).isEqualTo(200);
        assertThat(status(name, "/api/v1/persons/{id}", m.b1)).isEqualTo(404);

        long grantId = grants(name).getFirst();
        page = web.follow(web.post("/admin/accounts/" + name + "/grants/" + grantId + "/revoke",
                WebSession.hiddenFields(page.body(), "/admin/accounts/" + name + "/grants/" + grantId + "/revoke")));
        assertThat(grants(name)).isEmpty();
        page = web.follow(web.post("/admin/accounts/" + name + "/disable", WebSession.hiddenFields(page.body(), "/admin/accounts/" + name + "/disable")));
        assertThat(accounts.account(name).orElseThrow().enabled()).isFalse();
        assertThat(audit.about("admin_account", name)).extracting(AuditTrail.Entry::action)
                .containsExactly("ADMIN_ACCOUNT_DISABLED", "ADMIN_RIGHT_REVOKED", "ADMIN_RIGHT_GRANTED", "ADMIN_ACCOUNT_CREATED");
        // another administrator's account beyond reach is not found on the page either
        String outsider = newAccount(root, "outsider-" + m.source);
        post(root, "/api/v1/admin-accounts/{u}/grants", units(AdminRight.ACCOUNT_ADMIN, List.of(m.schoolA), List.of()), outsider);
        WebSession outsiderWeb = new WebSession(port).signIn(outsider, PASSWORD);
        assertThat(outsiderWeb.get("/admin/accounts/" + root).status()).isEqualTo(404);
        // an account that only manages accounts starts on the accounts page
        assertThat(outsiderWeb.get("/").location()).endsWith("/admin/accounts");
    }

    private List<Long> grants(String account) {
        return jdbc.sql("select id from admin_grant where username = :u order by id").param("u", account).query(Long.class).list();
    }

    @Test
    void aGrantNeedsAScopeAndKnownSchoolForms() {
        String target = newAccount(root, "forms-" + m.source);
        assertThat(post(root, "/api/v1/admin-accounts/{u}/grants", units(AdminRight.BUYER, List.of(m.schoolA), List.of("NOT-A-FORM")), target))
                .isEqualTo(400);
        assertThat(post(root, "/api/v1/admin-accounts/{u}/grants", Map.of("right", "BUYER"), target)).isEqualTo(400);
        assertThat(post(root, "/api/v1/admin-accounts/{u}/grants", units(AdminRight.BUYER, List.of(m.schoolA), List.of("GR")), target))
                .isEqualTo(201);
    }

    @Test
    void aWeakInitialPasswordOrATakenNameIsRefused() {
        assertThat(post(root, "/api/v1/admin-accounts", Map.of("username", "weak-" + m.source, "displayName", "Weak", "password", "aaaaaaaaaaaa")))
                .isEqualTo(400);
        assertThat(post(root, "/api/v1/admin-accounts", Map.of("username", root, "displayName", "Again", "password", PASSWORD))).isEqualTo(400);
    }

    /**
     * A web session keeps the rights of its sign-in; an account administrator whose right was revoked since creates no
     * account and disables none from it (an account without grants is within everyone's reach by its grants alone).
     */
    @Test
    void anAccountAdministratorWhoseRightWasRevokedManagesNoAccountFromAnOpenSession() {
        String former = newAccount(root, "former-" + m.source);
        long grant = grants.grant(root, former, AdminRight.ACCOUNT_ADMIN, org.tilldela.governance.GrantScope.units(java.util.Set.of(m.schoolA), java.util.Set.of())).id();
        String grantless = newAccount(root, "grantless-" + m.source);
        WebSession web = new WebSession(port).signIn(former, PASSWORD);
        Map<String, String> create = WebSession.hiddenFields(web.get("/admin/accounts").body(), "/admin/accounts");
        assertThat(grants.revoke(root, former, grant)).isTrue();

        create.put("username", "made-after-" + m.source);
        create.put("displayName", "Made after");
        create.put("password", PASSWORD);
        assertThat(web.post("/admin/accounts", create).status()).isEqualTo(403);
        assertThat(accounts.account("made-after-" + m.source)).isEmpty();
        assertThat(accounts.setEnabled(former, grantless, false)).isFalse();
        assertThat(accounts.account(grantless)).hasValueSatisfying(a -> assertThat(a.enabled()).isTrue());
    }

    /** The names the audit trail records Tilldela's own work under, and id-shaped names, are nobody's account. */
    @Test
    void aNameTheSystemRecordsItsWorkUnderIsRefused() {
        for (String reserved : List.of("system", "Retention", "sign-in", "duty-rules", UUID.randomUUID().toString(),
                UUID.randomUUID().toString().replace("-", ""))) {
            assertThat(post(root, "/api/v1/admin-accounts", Map.of("username", reserved, "displayName", "Posing", "password", PASSWORD)))
                    .as(reserved).isEqualTo(400);
            assertThat(accounts.account(reserved)).as(reserved).isEmpty();
        }
        assertThat(post(root, "/api/v1/admin-accounts", Map.of("username", "systemansvarig-" + m.source, "displayName", "Ok", "password", PASSWORD)))
                .isEqualTo(201);
    }
}
