package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.client.RestClient;
import org.tilldela.access.AccessFixture;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import upstream.UpstreamIdentityProvider;

/**
 * Pupils of a municipality with its own identity provider sign in through it. The provider is a real OpenID
 * provider (Spring's authorization server in a context of its own, {@link UpstreamIdentityProvider}); the
 * product is driven by an independent relying party (Nimbus). Its users' {@code upn} is matched to the e-mail
 * of exactly one person of the organiser: found, the person signs in and goes on to the product; not found or
 * found twice, they are refused with a page that says why and the audit trail records the reason, without
 * the value; an ID token with another nonce is rejected by Spring's client.
 */
class UpstreamSignInTest extends SignInTestSupport {

    static final String ADMIN_PASSWORD = "a long administrator password";
    static final String UPSTREAM_SECRET = "kommunens-hemlighet-" + UUID.randomUUID();

    /** A municipality of its own (one provider per organiser: the shared fixture's organiser stays free for other tests). */
    static AccessFixture municipality;
    static ConfigurableApplicationContext upstreamContext;
    static UpstreamIdentityProvider upstream;
    static UUID providerId;
    static String directoryAdmin;

    @Autowired
    org.tilldela.governance.AdminUpstreamAccounts adminBindings;
    @Autowired
    org.tilldela.governance.ApiTokens apiTokens;
    @Autowired
    AdminAccounts admins;
    @Autowired
    org.tilldela.governance.SignInThrottle throttle;

    @BeforeEach
    void upstreamProvider() throws Exception {
        if (municipality != null) {
            return;
        }
        municipality = new AccessFixture(imports, jdbc, catalog, pools);
        upstreamContext = UpstreamIdentityProvider.start();
        upstream = upstreamContext.getBean(UpstreamIdentityProvider.class);
        directoryAdmin = "katalog-" + UUID.randomUUID().toString().substring(0, 8);
        // the provider signs in the organiser's administrators too: keeping it takes ACCOUNT_ADMIN as well (UpstreamProviderApi)
        admins.create(directoryAdmin, "Skoladministratör", ADMIN_PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN, AdminRight.ACCOUNT_ADMIN), "test");
        var answer = api(directoryAdmin).post().uri("/api/v1/sso/upstream-providers").body(Map.of("organiserId", municipality.organiserId,
                "issuer", UpstreamIdentityProvider.issuer(upstreamContext), "clientId", "tilldela", "clientSecret", UPSTREAM_SECRET,
                "matchClaim", "upn", "matchField", "EMAIL")).retrieve().toEntity(Map.class);
        assertThat(answer.getStatusCode().value()).as(String.valueOf(answer.getBody())).isEqualTo(201);
        providerId = UUID.fromString((String) answer.getBody().get("id"));
        String redirectUri = (String) answer.getBody().get("redirectUri");
        assertThat(redirectUri).isEqualTo(baseUrl() + "/sign-in/upstream/" + providerId + "/callback");
        // what the municipality does with what Tilldela's administrator tells it
        upstream.addClient("tilldela", UPSTREAM_SECRET, redirectUri);
        adminApi = api(directoryAdmin);
    }

    /** The administrator's client, kept for removing the provider when the municipality's provider stops. */
    static RestClient adminApi;

    @AfterAll
    static void stopUpstream() {
        if (adminApi != null) {
            // no button to a stopped provider on the sign-in page other tests look at
            assertThat(adminApi.delete().uri("/api/v1/sso/upstream-providers/" + providerId).retrieve().toBodilessEntity().getStatusCode().value())
                    .isEqualTo(204);
        }
        if (upstreamContext != null) {
            upstreamContext.close();
        }
    }

    RestClient api(String user) {
        return RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(user, ADMIN_PASSWORD))
                .defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
                }).build();
    }

    String organiserName() {
        return jdbc.sql("select name from organisation where id = :o").param("o", municipality.organiserId).query(String.class).single();
    }

    /** Gives the person an e-mail of the test's own (synthetic) and a user at the municipality's provider whose upn is it. */
    String upstreamUserFor(UUID person) {
        String email = "elev." + UUID.randomUUID().toString().substring(0, 8) + "@exempel-kommun.se";
        jdbc.sql("update person set email = :e where id = :p").param("e", email).param("p", person).update();
        String username = "u-" + UUID.randomUUID().toString().substring(0, 8);
        // upper case, as some providers give it: e-mail is compared without case
        upstream.addUser(username, Map.of("upn", email.toUpperCase(java.util.Locale.ROOT)));
        return username;
    }

    /**
     * From the sign-in page, through the button to the municipality's provider, signs in there, and answers where
     * Tilldela sends the browser after the provider sent it back.
     */
    URI throughUpstream(String username) throws Exception {
        HttpResponse<String> page = get(URI.create(baseUrl() + "/sign-in"));
        assertThat(page.body()).contains("Sign in with " + org.springframework.web.util.HtmlUtils.htmlEscape(organiserName(), "UTF-8"))
                .contains("href=\"/sign-in/upstream/" + providerId + "\"");
        return atUpstream(URI.create(baseUrl() + "/sign-in/upstream/" + providerId), username);
    }

    /** From Tilldela's link to the provider, signs in there as {@code username}; answers where Tilldela sends the browser back to. */
    URI atUpstream(URI start, String username) throws Exception {
        HttpResponse<String> away = get(start);
        assertThat(away.statusCode()).isEqualTo(302);
        assertThat(away.headers().allValues("Set-Cookie")).as("no session before sign-in").noneMatch(c -> c.startsWith("SESSION="));
        URI authorize = location(away, baseUrl());
        assertThat(authorize.toString()).startsWith(UpstreamIdentityProvider.issuer(upstreamContext) + "/oauth2/authorize")
                .contains("code_challenge_method=S256").contains("nonce=").contains("state=");
        String upstreamBase = UpstreamIdentityProvider.issuer(upstreamContext);
        URI login = location(get(authorize), upstreamBase);
        assertThat(login.getPath()).isEqualTo("/login");
        Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(get(login).body());
        assertThat(csrf.find()).isTrue();
        HttpResponse<String> signedIn = browser.send(HttpRequest.newBuilder(login).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=" + username + "&password="
                        + URLEncoder.encode(UpstreamIdentityProvider.PASSWORD, StandardCharsets.UTF_8) + "&_csrf="
                        + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        URI back = location(get(location(signedIn, upstreamBase)), upstreamBase);
        assertThat(back.toString()).startsWith(baseUrl() + "/sign-in/upstream/" + providerId + "/callback?code=");
        return location(get(back), baseUrl());
    }

    List<org.tilldela.governance.AuditTrail.Entry> audit(String action) {
        return jdbc.sql("select occurred_at, actor, action, target_type, target_id, detail::text from audit_event where action = :a and target_id = :t order by id")
                .param("a", action).param("t", providerId.toString())
                .query((rs, n) -> new org.tilldela.governance.AuditTrail.Entry(rs.getTimestamp(1).toInstant(), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6))).list();
    }

    @Test
    void aMatchedPupilSignsInThroughTheMunicipalityAndGoesOnToTheProduct() throws Exception {
        UUID pupil = municipality.persons.get(0);
        String username = upstreamUserFor(pupil);
        SignInClients.Registration client = clients.register(municipality.productId, "Digital matematik", List.of(REDIRECT), true, "test");
        State state = new State();
        Nonce nonce = new Nonce();
        CodeVerifier verifier = new CodeVerifier();
        URI authorize = new AuthenticationRequest.Builder(new ResponseType("code"), new Scope("openid"), new ClientID(client.clientId()), URI.create(REDIRECT))
                .endpointURI(op.getAuthorizationEndpointURI()).state(state).nonce(nonce).codeChallenge(verifier, CodeChallengeMethod.S256).build().toURI();

        HttpResponse<String> first = get(authorize);
        assertThat(location(first, baseUrl()).getPath()).isEqualTo("/sign-in");
        URI next = throughUpstream(username);
        assertThat(next.getPath()).as("back to the product's authorization request").isEqualTo("/oauth2/authorize");
        AuthorizationResponse response = AuthorizationResponse.parse(pastNotice(location(get(next), baseUrl())));
        assertThat(response.indicatesSuccess()).isTrue();
        assertThat(response.getState()).isEqualTo(state);

        ClientSecretBasic auth = new ClientSecretBasic(new ClientID(client.clientId()), new Secret(client.clientSecret()));
        TokenResponse tokens = OIDCTokenResponseParser.parse(new TokenRequest(op.getTokenEndpointURI(), auth,
                new AuthorizationCodeGrant(response.toSuccessResponse().getAuthorizationCode(), URI.create(REDIRECT), verifier)).toHTTPRequest().send());
        assertThat(tokens.indicatesSuccess()).as(() -> tokens.toErrorResponse().getErrorObject().toString()).isTrue();
        OIDCTokenResponse ok = (OIDCTokenResponse) tokens.toSuccessResponse();
        var id = new IDTokenValidator(op.getIssuer(), new ClientID(client.clientId()), JWSAlgorithm.RS256, op.getJWKSetURI().toURL())
                .validate(ok.getOIDCTokens().getIDToken(), nonce);
        // the product learns the pairwise pseudonym, as after a local sign-in; nothing of the upstream account
        assertThat(id.getSubject().getValue()).isNotEqualTo(pupil.toString());
        assertThat(ok.getOIDCTokens().getIDToken().getJWTClaimsSet().getClaims()).doesNotContainKeys("upn", "email");

        // the same principal as a local sign-in: the person's id, the one authority of a person
        assertThat(jdbc.sql("select distinct principal_name from oauth2_authorization where registered_client_id = (select id from oauth2_registered_client where client_id = :c)")
                .param("c", client.clientId()).query(String.class).list()).containsExactly(pupil.toString());
        String principal = jdbc.sql("select attributes from oauth2_authorization where principal_name = :p order by access_token_issued_at desc nulls last limit 1")
                .param("p", pupil.toString()).query(String.class).single();
        assertThat(principal).contains("UsernamePasswordAuthenticationToken").contains(PersonAccounts.PERSON).doesNotContain("RIGHT_").doesNotContain("upn");
        var signIns = jdbc.sql("select detail::text from audit_event where action = 'UPSTREAM_SIGN_IN' and target_id = :p").param("p", pupil.toString())
                .query(String.class).list();
        assertThat(signIns).hasSize(1);
        assertThat(signIns.getFirst()).contains(providerId.toString()).contains(municipality.organiserId.toString());
        assertThat(jdbc.sql("select count(*) from sso_upstream_sign_in").query(Integer.class).single()).as("the waiting request is used up").isZero();
    }

    @Test
    void aProviderChangedOnAnotherNodeCountsHereAtOnce() throws Exception {
        java.util.Set<String> waitingBefore = new java.util.HashSet<>(jdbc.sql("select key_hash from sso_upstream_sign_in").query(String.class).list());
        URI start = URI.create(baseUrl() + "/sign-in/upstream/" + providerId);
        assertThat(location(get(start), baseUrl()).getQuery()).contains("client_id=tilldela");
        // another node saves a new client id (as its change() writes it): this node's cached registration does not serve it
        jdbc.sql("update sso_upstream_provider set client_id = 'tilldela-ny', updated_at = now() where id = :id").param("id", providerId).update();
        try {
            assertThat(location(get(start), baseUrl()).getQuery()).contains("client_id=tilldela-ny");
            // turned off there: no sign-in through it here either
            jdbc.sql("update sso_upstream_provider set enabled = false, updated_at = now() where id = :id").param("id", providerId).update();
            assertThat(get(start).statusCode()).isNotEqualTo(302);
        } finally {
            jdbc.sql("update sso_upstream_provider set client_id = 'tilldela', enabled = true, updated_at = now() where id = :id").param("id", providerId).update();
        }
        assertThat(location(get(start), baseUrl()).getQuery()).contains("client_id=tilldela&").doesNotContain("tilldela-ny");
        // the sign-ins begun here go no further: their waiting requests go
        jdbc.sql("delete from sso_upstream_sign_in where key_hash <> all(:kept)").param("kept", waitingBefore.toArray(String[]::new)).update();
    }

    @Test
    void anAccountNoPersonOfTheMunicipalityHasIsRefusedWithAPageAndTheReasonAudited() throws Exception {
        String email = "okand." + UUID.randomUUID().toString().substring(0, 8) + "@exempel-kommun.se";
        String username = "u-" + UUID.randomUUID().toString().substring(0, 8);
        upstream.addUser(username, Map.of("upn", email));
        int before = audit("UPSTREAM_SIGN_IN_REFUSED").size();

        URI refused = throughUpstream(username);
        assertThat(refused.getPath()).isEqualTo("/sign-in/upstream/" + providerId + "/refused");
        HttpResponse<String> page = get(URI.create(refused + "&lang=en"));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("You could not be signed in")
                .contains("Tilldela found no pupil or member of staff of " + org.springframework.web.util.HtmlUtils.htmlEscape(organiserName(), "UTF-8"))
                .contains("IT support").doesNotContain(email);
        assertThat(page.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("SESSION="));

        List<org.tilldela.governance.AuditTrail.Entry> entries = audit("UPSTREAM_SIGN_IN_REFUSED");
        assertThat(entries).hasSize(before + 1);
        assertThat(entries.getLast().detail()).contains("\"reason\": \"NO_MATCH\"").contains("\"claim\": \"upn\"").contains("claimHash")
                .doesNotContain(email).doesNotContain(email.substring(0, email.indexOf('@')));
        // and the person was not signed in: the start page still sends them to sign in
        assertThat(location(get(URI.create(baseUrl() + "/start")), baseUrl()).getPath()).isEqualTo("/sign-in");
    }

    @Test
    void anAccountTwoPersonsShareIsRefusedAsAmbiguous() throws Exception {
        String shared = "delad." + UUID.randomUUID().toString().substring(0, 8) + "@exempel-kommun.se";
        jdbc.sql("update person set email = :e where id in (:p)").param("e", shared)
                .param("p", List.of(municipality.persons.get(3), municipality.persons.get(4))).update();
        String username = "u-" + UUID.randomUUID().toString().substring(0, 8);
        upstream.addUser(username, Map.of("upn", shared));

        URI refused = throughUpstream(username);
        assertThat(refused.toString()).endsWith("/sign-in/upstream/" + providerId + "/refused?reason=several-matches");
        String page = get(URI.create(refused + "&lang=sv")).body();
        assertThat(page).contains("fler än en elev eller personal").doesNotContain(shared);
        assertThat(audit("UPSTREAM_SIGN_IN_REFUSED").getLast().detail()).contains("SEVERAL_MATCHES").doesNotContain(shared);
        assertThat(location(get(URI.create(baseUrl() + "/start")), baseUrl()).getPath()).isEqualTo("/sign-in");
    }

    @Test
    void anEmailTheProviderHasNotVerifiedSignsNobodyIn() throws Exception {
        UUID pupil = municipality.persons.get(6);
        String email = "elev." + UUID.randomUUID().toString().substring(0, 8) + "@exempel-kommun.se";
        jdbc.sql("update person set email = :e where id = :p").param("e", email).param("p", pupil).update();
        String unverified = "u-" + UUID.randomUUID().toString().substring(0, 8);
        String verified = "u-" + UUID.randomUUID().toString().substring(0, 8);
        // an account whose holder typed the pupil's address, and the pupil's own, verified, account
        upstream.addUser(unverified, Map.of("email", email));
        upstream.addUser(verified, Map.of("email", email, "email_verified", true));
        Map<String, Object> byEmail = Map.of("issuer", UpstreamIdentityProvider.issuer(upstreamContext), "clientId", "tilldela",
                "matchClaim", "email", "matchField", "EMAIL");
        assertThat(adminApi.put().uri("/api/v1/sso/upstream-providers/" + providerId).body(byEmail).retrieve().toBodilessEntity()
                .getStatusCode().value()).isEqualTo(200);
        try {
            assertThat(throughUpstream(unverified).toString()).endsWith("/sign-in/upstream/" + providerId + "/refused?reason=failed");
            assertThat(audit("UPSTREAM_SIGN_IN_REFUSED").getLast().detail()).contains("EMAIL_NOT_VERIFIED").doesNotContain(email);
            assertThat(location(get(URI.create(baseUrl() + "/start")), baseUrl()).getPath()).isEqualTo("/sign-in");

            browser = newBrowser(); // the pupil's own browser: no session at the municipality's provider yet
            assertThat(throughUpstream(verified).getPath()).isEqualTo("/start");
            assertThat(jdbc.sql("select count(*) from audit_event where action = 'UPSTREAM_SIGN_IN' and target_id = :p").param("p", pupil.toString())
                    .query(Integer.class).single()).isEqualTo(1);
        } finally {
            Map<String, Object> byUpn = new java.util.HashMap<>(byEmail);
            byUpn.put("matchClaim", "upn");
            assertThat(adminApi.put().uri("/api/v1/sso/upstream-providers/" + providerId).body(byUpn).retrieve().toBodilessEntity()
                    .getStatusCode().value()).isEqualTo(200);
        }
    }

    @Test
    void anIdTokenWithAnotherNonceIsRejectedBySpringsClient() throws Exception {
        UUID pupil = municipality.persons.get(5);
        String username = "u-" + UUID.randomUUID().toString().substring(0, 8);
        String email = "elev." + UUID.randomUUID().toString().substring(0, 8) + "@exempel-kommun.se";
        jdbc.sql("update person set email = :e where id = :p").param("e", email).param("p", pupil).update();
        // a person who would match, but whose ID token carries a nonce the client never sent
        upstream.addUser(username, Map.of("upn", email, UpstreamIdentityProvider.FORGE_NONCE, true));

        URI refused = throughUpstream(username);
        assertThat(refused.toString()).endsWith("/sign-in/upstream/" + providerId + "/refused?reason=failed");
        assertThat(audit("UPSTREAM_SIGN_IN_FAILED").getLast().detail()).contains("invalid_nonce");
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'UPSTREAM_SIGN_IN' and target_id = :p").param("p", pupil.toString())
                .query(Integer.class).single()).isZero();
        assertThat(location(get(URI.create(baseUrl() + "/start")), baseUrl()).getPath()).isEqualTo("/sign-in");
    }

    @Test
    void theClientSecretIsEncryptedAtRestNeverShownAndOnlyADirectoryAdministratorKeepsProviders() throws Exception {
        byte[] stored = jdbc.sql("select client_secret from sso_upstream_provider where id = :id").param("id", providerId).query(byte[].class).single();
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(UPSTREAM_SECRET).doesNotContain("kommunens-hemlighet");
        assertThat(stored.length).as("AES-GCM: nonce, ciphertext and tag").isGreaterThan(UPSTREAM_SECRET.length());
        String listed = api(directoryAdmin).get().uri("/api/v1/sso/upstream-providers").retrieve().body(String.class);
        assertThat(listed).contains(providerId.toString()).contains("\"matchClaim\":\"upn\"").doesNotContain(UPSTREAM_SECRET).doesNotContain("clientSecret\":\"");
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'SSO_UPSTREAM_PROVIDER_REGISTERED' and target_id = :t")
                .param("t", providerId.toString()).query(Integer.class).single()).isEqualTo(1);

        // a change without a secret keeps the stored one; a disabled provider's button leaves the sign-in page
        Map<String, Object> settings = Map.of("issuer", UpstreamIdentityProvider.issuer(upstreamContext), "clientId", "tilldela",
                "matchClaim", "upn", "matchField", "EMAIL", "enabled", false);
        assertThat(api(directoryAdmin).put().uri("/api/v1/sso/upstream-providers/" + providerId).body(settings).retrieve().toBodilessEntity()
                .getStatusCode().value()).isEqualTo(200);
        try {
            assertThat(jdbc.sql("select client_secret from sso_upstream_provider where id = :id").param("id", providerId).query(byte[].class).single())
                    .isEqualTo(stored);
            assertThat(browser.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/sign-in")).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .doesNotContain("/sign-in/upstream/" + providerId);
            assertThat(audit("SSO_UPSTREAM_PROVIDER_CHANGED").getLast().detail()).contains("\"enabled\": false").contains("\"secretChanged\": false");
        } finally {
            Map<String, Object> enabled = new java.util.HashMap<>(settings);
            enabled.put("enabled", true);
            assertThat(api(directoryAdmin).put().uri("/api/v1/sso/upstream-providers/" + providerId).body(enabled).retrieve().toBodilessEntity()
                    .getStatusCode().value()).isEqualTo(200);
        }

        String accessAdmin = "atkomst-" + UUID.randomUUID().toString().substring(0, 8);
        admins.create(accessAdmin, "Åtkomstadministratör", ADMIN_PASSWORD, EnumSet.of(AdminRight.ACCESS_ADMIN), "test");
        assertThat(api(accessAdmin).get().uri("/api/v1/sso/upstream-providers").retrieve().toBodilessEntity().getStatusCode().value())
                .isEqualTo(403);
        // a second provider for the same organiser, or one at a plain-http issuer, is refused
        assertThat(api(directoryAdmin).post().uri("/api/v1/sso/upstream-providers").body(Map.of("organiserId", municipality.organiserId,
                "issuer", "http://idp.exempel-kommun.se", "clientId", "x", "clientSecret", "y", "matchClaim", "upn", "matchField", "EMAIL"))
                .retrieve().toBodilessEntity().getStatusCode().value()).isEqualTo(400);
    }
    /** The upstream path in a real browser, with the keyboard: the button, the municipality's page, the start page; and a refusal. */
    @Test
    void inABrowserAPupilSignsInWithTheMunicipalitysAccountAndAnUnknownAccountIsToldWhomToAsk() {
        String username = upstreamUserFor(municipality.persons.get(1));
        String unknown = "u-" + UUID.randomUUID().toString().substring(0, 8);
        upstream.addUser(unknown, Map.of("upn", "okand." + UUID.randomUUID().toString().substring(0, 8) + "@exempel-kommun.se"));
        String organiser = organiserName();
        com.microsoft.playwright.Browser chromium = org.tilldela.BrowserSupport.browser();
        try (com.microsoft.playwright.BrowserContext context = chromium.newContext(new com.microsoft.playwright.Browser.NewContextOptions().setLocale("sv-SE"))) {
            com.microsoft.playwright.Page page = context.newPage();
            page.navigate(baseUrl() + "/sign-in");
            var button = page.getByRole(com.microsoft.playwright.options.AriaRole.LINK,
                    new com.microsoft.playwright.Page.GetByRoleOptions().setName("Logga in med " + organiser));
            assertThat(button.isVisible()).isTrue();
            assertThat(org.tilldela.BrowserSupport.accessibilityViolations(page)).isEmpty();
            org.tilldela.BrowserSupport.screenshot(page, "sso-upstream-01-sign-in-sv");

            button.focus();
            page.keyboard().press("Enter");
            page.waitForURL(url -> url.startsWith(UpstreamIdentityProvider.issuer(upstreamContext) + "/login"));
            org.tilldela.BrowserSupport.screenshot(page, "sso-upstream-02-municipality-login");
            page.locator("#username").fill(username);
            page.keyboard().press("Tab");
            page.keyboard().type(UpstreamIdentityProvider.PASSWORD);
            page.keyboard().press("Enter");
            page.waitForURL(url -> url.endsWith("/start"));
            assertThat(page.locator("main").textContent()).contains("Dina läromedel").contains("Digital matematik");
            assertThat(org.tilldela.BrowserSupport.accessibilityViolations(page)).isEmpty();
            org.tilldela.BrowserSupport.screenshot(page, "sso-upstream-03-start-sv");
        }
        try (com.microsoft.playwright.BrowserContext context = chromium.newContext(new com.microsoft.playwright.Browser.NewContextOptions().setLocale("sv-SE"))) {
            com.microsoft.playwright.Page page = context.newPage();
            page.navigate(baseUrl() + "/sign-in");
            page.getByRole(com.microsoft.playwright.options.AriaRole.LINK,
                    new com.microsoft.playwright.Page.GetByRoleOptions().setName("Logga in med " + organiser)).click();
            page.locator("#username").fill(unknown);
            page.locator("#password").fill(UpstreamIdentityProvider.PASSWORD);
            page.keyboard().press("Enter");
            page.waitForURL(url -> url.contains("/refused"));
            assertThat(page.locator("h1").textContent()).isEqualTo("Du kunde inte loggas in");
            assertThat(page.locator("main").textContent()).contains("ingen elev eller personal i " + organiser).contains("IT-support");
            assertThat(org.tilldela.BrowserSupport.accessibilityViolations(page)).isEmpty();
            org.tilldela.BrowserSupport.screenshot(page, "sso-upstream-04-refused-sv");
            page.navigate(page.url() + "&lang=en");
            assertThat(page.locator("h1").textContent()).isEqualTo("You could not be signed in");
            assertThat(org.tilldela.BrowserSupport.accessibilityViolations(page)).isEmpty();
            org.tilldela.BrowserSupport.screenshot(page, "sso-upstream-05-refused-en");
        }
    }
    /** A directory person on duty at a unit of the municipality (staff), not protected. */
    UUID staffMember(int n) {
        return jdbc.sql("""
                        with recursive units(id, depth) as (
                            select id, 0 from organisation where id = :o
                            union all select o.id, u.depth + 1 from organisation o join units u on o.parent_id = u.id where u.depth < 20)
                        select distinct d.person_id from duty d join person p on p.id = d.person_id
                        where d.organisation_id in (select id from units) and p.protection = 'NONE' order by d.person_id offset :n limit 1
                        """).param("o", municipality.organiserId).param("n", n).query(UUID.class).single();
    }

    int status(RestClient client, String method, String path, Object body) {
        var spec = client.method(org.springframework.http.HttpMethod.valueOf(method)).uri(path);
        if (body != null) {
            spec = spec.contentType(org.springframework.http.MediaType.APPLICATION_JSON).body(body);
        }
        return spec.exchange((req, res) -> res.getStatusCode().value());
    }

    @Test
    void administratorsOfTheMunicipalitySignInThroughItWithTheirGrantsAndNotWithALocalPasswordUnlessBreakGlass() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String root = "root-" + tag;
        admins.create(root, "Installation", ADMIN_PASSWORD, EnumSet.of(AdminRight.ACCOUNT_ADMIN, AdminRight.DIRECTORY_ADMIN, AdminRight.LICENCE_ADMIN), "test");
        RestClient asRoot = api(root);
        org.tilldela.governance.GrantScope municipalityScope = org.tilldela.governance.GrantScope.units(java.util.Set.of(municipality.organiserId), java.util.Set.of());

        // a principal's account, linked to the directory person (on duty at the municipality) the provider's upn matches
        String principal = "rektor-" + tag;
        admins.create(root, principal, "Rektor", ADMIN_PASSWORD);
        grants.grant(root, principal, AdminRight.DIRECTORY_ADMIN, municipalityScope);
        UUID person = staffMember(0);
        assertThat(status(asRoot, "PUT", "/api/v1/admin-accounts/" + principal + "/person", Map.of("person", person))).isEqualTo(200);
        String upstreamPrincipal = upstreamUserFor(person);

        // its local password is refused, with a clear message, and audited; on the API too
        org.tilldela.WebSession local = new org.tilldela.WebSession(Integer.parseInt(baseUrl().substring(baseUrl().lastIndexOf(':') + 1)));
        Map<String, String> form = org.tilldela.WebSession.hiddenFields(local.get("/login").body(), "/login");
        form.put("username", principal);
        form.put("password", ADMIN_PASSWORD);
        assertThat(local.post("/login", form).location()).endsWith("/login?upstream");
        // the same answer to a wrong password: the page tells nobody when they have guessed the right one
        org.tilldela.WebSession guesser = new org.tilldela.WebSession(Integer.parseInt(baseUrl().substring(baseUrl().lastIndexOf(':') + 1)));
        Map<String, String> guess = org.tilldela.WebSession.hiddenFields(guesser.get("/login").body(), "/login");
        guess.put("username", principal);
        guess.put("password", "not-the-password-" + tag);
        assertThat(guesser.post("/login", guess).location()).endsWith("/login?upstream");
        assertThat(local.page("/login?upstream&lang=en").body()).contains("Your account belongs to an organisation with its own sign-in.");
        assertThat(local.page("/directory").status()).isNotEqualTo(200);
        assertThat(audits(principal)).first().satisfies(e -> {
            assertThat(e.action()).isEqualTo("ADMIN_LOCAL_SIGN_IN_REFUSED");
            assertThat(e.detail()).contains(municipality.organiserId.toString());
        });
        assertThat(status(api(principal), "GET", "/api/v1/organisations", null)).isEqualTo(401);
        // each such answer counts like a wrong password: asked again and again, the name is locked out as a guessed one
        // would be (the answer is no faster way to learn which names are bound, nor a writer of refusals without limit)
        int refusals = jdbc.sql("select count(*) from audit_event where action = 'ADMIN_LOCAL_SIGN_IN_REFUSED' and target_id = :t")
                .param("t", principal).query(Integer.class).single();
        List<String> answers = new java.util.ArrayList<>();
        for (int i = 0; i < throttle.limits().maxFailuresPerAccount() + 2; i++) {
            org.tilldela.WebSession again = new org.tilldela.WebSession(Integer.parseInt(baseUrl().substring(baseUrl().lastIndexOf(':') + 1)));
            Map<String, String> asked = org.tilldela.WebSession.hiddenFields(again.get("/login").body(), "/login");
            asked.put("username", principal);
            asked.put("password", "guess-" + i);
            String location = again.post("/login", asked).location();
            answers.add(location.substring(location.indexOf('?') + 1));
        }
        assertThat(answers).as("three counted before (the two forms and the API), one more, and the fifth locks")
                .containsExactly("upstream", "locked", "locked", "locked", "locked", "locked", "locked");
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'ADMIN_LOCAL_SIGN_IN_REFUSED' and target_id = :t")
                .param("t", principal).query(Integer.class).single()).as("refusals recorded only until the lockout").isEqualTo(refusals + 2);
        throttle.forget(org.tilldela.governance.SignInThrottle.ADMIN_PASSWORD + principal);
        jdbc.sql("delete from sign_in_throttle where kind = 'ADDRESS' and subject in ('127.0.0.1', '0:0:0:0:0:0:0:0/64')").update();
        // nor does it get an API token (one made while the provider let it in would outlast what the provider decides)
        assertThat(adminBindings.signsInThroughProviderOnly(principal)).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> apiTokens.create(principal, "skript", 30))
                .isInstanceOf(org.tilldela.governance.ApiTokens.ProviderOnly.class);

        // the admin login page offers the municipality's provider; through it the session has exactly the account's grants
        HttpResponse<String> loginPage = get(URI.create(baseUrl() + "/login?lang=en"));
        assertThat(loginPage.body()).contains("Sign in with " + org.springframework.web.util.HtmlUtils.htmlEscape(organiserName(), "UTF-8"))
                .contains("href=\"/sign-in/upstream/admin-" + providerId + "\"");
        URI landed = atUpstream(URI.create(baseUrl() + "/sign-in/upstream/admin-" + providerId), upstreamPrincipal);
        assertThat(landed.getPath()).isEqualTo("/");
        assertThat(get(URI.create(baseUrl() + "/directory")).statusCode()).isEqualTo(200);
        assertThat(get(URI.create(baseUrl() + "/admin/accounts")).statusCode()).as("ACCOUNT_ADMIN is not the account's").isEqualTo(403);
        assertThat(get(URI.create(baseUrl() + "/licences")).statusCode()).as("LICENCE_ADMIN is not the account's").isEqualTo(403);
        assertThat(audits(principal).getFirst()).satisfies(e -> {
            assertThat(e.action()).isEqualTo("ADMIN_UPSTREAM_SIGN_IN");
            assertThat(e.detail()).contains(providerId.toString());
        });

        // an account bound explicitly to the upstream subject, whose claim matches nobody in the directory
        String itChief = "it-" + tag;
        admins.create(root, itChief, "IT-chef", ADMIN_PASSWORD);
        grants.grant(root, itChief, AdminRight.LICENCE_ADMIN, municipalityScope);
        String upstreamIt = "it-" + tag;
        upstream.addUser(upstreamIt, Map.of("upn", "it." + tag + "@exempel-kommun.se"));
        // before it is bound it has no way in through the provider: its password still works (refusing it would lock it out)
        assertThat(status(api(itChief), "GET", "/api/v1/organisations", null)).as("signed in with the password").isNotEqualTo(401);
        // bound on its account page by an account administrator: the organiser chosen by name, the subject typed
        org.tilldela.WebSession rootWeb = new org.tilldela.WebSession(Integer.parseInt(baseUrl().substring(baseUrl().lastIndexOf(':') + 1)))
                .signIn(root, ADMIN_PASSWORD);
        String bindAt = "/admin/accounts/" + itChief + "/upstream-binding";
        String accountPage = rootWeb.page("/admin/accounts/" + itChief + "?lang=en").body();
        assertThat(accountPage).contains("Sign in through an organiser&#39;s identity provider",
                ">" + org.springframework.web.util.HtmlUtils.htmlEscape(organiserName(), "UTF-8") + "</option>");
        Map<String, String> bind = org.tilldela.WebSession.hiddenFields(accountPage, bindAt);
        bind.put("organiser", municipality.organiserId.toString());
        assertThat(rootWeb.follow(rootWeb.post(bindAt, bind)).body()).as("the subject left out: refused")
                .contains("Choose both the organiser and the subject");
        assertThat(audits(itChief)).noneMatch(e -> e.action().equals("ADMIN_ACCOUNT_UPSTREAM_BOUND"));
        bind.put("subject", upstreamIt);
        assertThat(rootWeb.follow(rootWeb.post(bindAt, bind)).body()).contains("The account is bound to its upstream account.");
        assertThat(audits(itChief).getFirst().action()).isEqualTo("ADMIN_ACCOUNT_UPSTREAM_BOUND");
        // the API binds the same way (the same binding again: no change, but answered)
        assertThat(status(asRoot, "PUT", "/api/v1/admin-accounts/" + itChief + "/upstream-binding",
                Map.of("organiserId", municipality.organiserId, "subject", upstreamIt))).isEqualTo(200);
        assertThat(status(api(itChief), "GET", "/api/v1/organisations", null)).as("bound: through the provider only").isEqualTo(401);
        browser = newBrowser();
        assertThat(atUpstream(URI.create(baseUrl() + "/sign-in/upstream/admin-" + providerId), upstreamIt).getPath()).isEqualTo("/");
        assertThat(get(URI.create(baseUrl() + "/licences")).statusCode()).isEqualTo(200);
        assertThat(get(URI.create(baseUrl() + "/directory")).statusCode()).isEqualTo(403);

        // a person of the municipality without an administrator account: refused with a page that says whom to ask
        browser = newBrowser();
        String pupil = upstreamUserFor(municipality.persons.get(3));
        URI refused = atUpstream(URI.create(baseUrl() + "/sign-in/upstream/admin-" + providerId), pupil);
        assertThat(refused.toString()).endsWith("/sign-in/upstream/" + providerId + "/refused?reason=no-admin-account");
        assertThat(get(URI.create(refused + "&lang=en")).body()).contains("no Tilldela administrator account is tied to that account");
        assertThat(get(URI.create(baseUrl() + "/directory")).statusCode()).isNotEqualTo(200);
        assertThat(audit("UPSTREAM_SIGN_IN_REFUSED").getLast().detail()).contains("NO_ADMIN_ACCOUNT");

        // an account linked to one of its people whose rights reach beyond the municipality (here: the whole installation)
        // is not the municipality's provider's to open
        String wide = "wide-" + tag;
        admins.create(root, wide, "Vid", ADMIN_PASSWORD);
        grants.grant(root, wide, AdminRight.DIRECTORY_ADMIN, org.tilldela.governance.GrantScope.wholeInstallationScope());
        UUID widePerson = staffMember(1);
        assertThat(status(asRoot, "PUT", "/api/v1/admin-accounts/" + wide + "/person", Map.of("person", widePerson))).isEqualTo(200);
        browser = newBrowser();
        assertThat(atUpstream(URI.create(baseUrl() + "/sign-in/upstream/admin-" + providerId), upstreamUserFor(widePerson)).toString())
                .endsWith("/refused?reason=no-admin-account");
        assertThat(get(URI.create(baseUrl() + "/directory")).statusCode()).isNotEqualTo(200);

        // a break-glass account, marked by an account administrator (audited), still signs in with its password (audited)
        assertThat(status(asRoot, "PUT", "/api/v1/admin-accounts/" + principal + "/break-glass", Map.of("breakGlass", true))).isEqualTo(200);
        assertThat(audits(principal).getFirst()).satisfies(e -> {
            assertThat(e.action()).isEqualTo("ADMIN_ACCOUNT_BREAK_GLASS_MARKED");
            assertThat(e.actor()).isEqualTo(root);
        });
        org.tilldela.WebSession glass = new org.tilldela.WebSession(Integer.parseInt(baseUrl().substring(baseUrl().lastIndexOf(':') + 1)))
                .signIn(principal, ADMIN_PASSWORD);
        assertThat(glass.page("/directory").status()).isEqualTo(200);
        assertThat(audits(principal)).extracting(org.tilldela.governance.AuditTrail.Entry::action).contains("ADMIN_BREAK_GLASS_SIGN_IN");
        // an account serving the whole installation is nobody's organiser's: its password still works
        assertThat(status(asRoot, "GET", "/api/v1/organisations", null)).isEqualTo(200);
    }

    @Autowired
    org.tilldela.governance.AdminGrants grants;

    List<org.tilldela.governance.AuditTrail.Entry> audits(String account) {
        return jdbc.sql("select occurred_at, actor, action, target_type, target_id, detail::text from audit_event where target_type = 'admin_account' and target_id = :t order by id desc")
                .param("t", account)
                .query((rs, n) -> new org.tilldela.governance.AuditTrail.Entry(rs.getTimestamp(1).toInstant(), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6))).list();
    }

    /**
     * Upstream SAML in a real browser: the municipality's SAML IdP (Keycloak's SAML core, on another site than
     * Tilldela's: its post to the ACS is cross-site and brings no session cookie, so Tilldela's own page posts it once
     * more) signs a pupil in, and the pupil lands on the start page, checked with axe.
     */
    @Test
    void inABrowserAPupilSignsInThroughTheMunicipalitysSamlIdpToTheStartPage() throws Exception {
        AccessFixture samlMunicipality = new AccessFixture(imports, jdbc, catalog, pools);
        String email = "elev." + UUID.randomUUID().toString().substring(0, 8) + "@saml-kommun.se";
        jdbc.sql("update person set email = :e where id = :p").param("e", email).param("p", samlMunicipality.persons.get(0)).update();
        String organiser = jdbc.sql("select name from organisation where id = :o").param("o", samlMunicipality.organiserId).query(String.class).single();
        try (UpstreamSamlIdentityProvider samlIdp = UpstreamSamlIdentityProvider.start()) {
            var answer = adminApi.post().uri("/api/v1/sso/upstream-saml-providers").body(Map.of("organiserId", samlMunicipality.organiserId,
                    "metadataUrl", samlIdp.base + "/metadata", "matchAttribute", UpstreamSamlSignInTest.MAIL, "matchField", "EMAIL"))
                    .retrieve().toEntity(Map.class);
            assertThat(answer.getStatusCode().value()).as(String.valueOf(answer.getBody())).isEqualTo(201);
            String id = (String) answer.getBody().get("id");
            // what the municipality's IdP knows of Tilldela from its SP metadata: the audience its assertions are for
            samlIdp.spEntityId = (String) answer.getBody().get("spMetadataUrl");
            samlIdp.users.put("saml-elev", Map.of(UpstreamSamlSignInTest.MAIL, List.of(email)));
            try (com.microsoft.playwright.BrowserContext context = org.tilldela.BrowserSupport.browser()
                    .newContext(new com.microsoft.playwright.Browser.NewContextOptions().setLocale("sv-SE"))) {
                com.microsoft.playwright.Page page = context.newPage();
                page.navigate(baseUrl() + "/sign-in");
                var button = page.locator("a[href='/sign-in/upstream/saml/" + id + "']");
                assertThat(button.textContent().strip()).isEqualTo("Logga in med " + organiser);
                button.focus();
                page.keyboard().press("Enter");
                page.waitForURL(url -> url.startsWith(samlIdp.base + "/sso?SAMLRequest="));
                assertThat(samlIdp.received.getLast().acsUrl()).isEqualTo(answer.getBody().get("acsUrl"));
                org.tilldela.BrowserSupport.screenshot(page, "sso-upstream-saml-01-municipality-idp");
                page.locator("#username").fill("saml-elev");
                page.keyboard().press("Enter");
                page.waitForURL(url -> url.endsWith("/start"));
                assertThat(page.locator("main").textContent()).contains("Dina läromedel").contains("Digital matematik");
                assertThat(org.tilldela.BrowserSupport.accessibilityViolations(page)).isEmpty();
                org.tilldela.BrowserSupport.screenshot(page, "sso-upstream-saml-02-start-sv");
            } finally {
                assertThat(adminApi.delete().uri("/api/v1/sso/upstream-saml-providers/" + id).retrieve().toBodilessEntity().getStatusCode().value())
                        .isEqualTo(204);
            }
        }
        assertThat(jdbc.sql("select detail::text from audit_event where action = 'UPSTREAM_SIGN_IN' and target_id = :p")
                .param("p", samlMunicipality.persons.get(0).toString()).query(String.class).single()).contains("\"protocol\": \"saml\"");
    }
}
