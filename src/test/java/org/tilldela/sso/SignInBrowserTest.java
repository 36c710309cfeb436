package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.tilldela.BrowserSupport;
import org.tilldela.catalog.Attribute;

/**
 * The pupil's own pages in a real browser, keyboard only, checked with axe (WCAG 2.1 AA) in Swedish and
 * English: the sign-in page, the start page with their learning materials, and the page about a product
 * they hold no licence for; and a SAML sign-in started by a supplier's SP (java-saml) through to its ACS page.
 */
class SignInBrowserTest extends SamlTestSupport {

    @Test
    void aPupilSignsInWithTheKeyboardSeesTheirMaterialsAndIsToldWhyAProductIsClosed() {
        UUID pupil = fixture.persons.get(8);
        String username = "elev-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.setPassword(pupil, username, PASSWORD, "test");
        UUID unlicensed = fixture.product(fixture.supplierId, Set.of(Attribute.PSEUDONYMOUS_ID));
        SignInClients.Registration client = clients.register(unlicensed, "Fysik", List.of(REDIRECT), true, "test");
        SignInClients.Registration licensed = clients.register(fixture.productId, "Digital matematik", List.of(REDIRECT), true,
                "https://matematik.example/login", "test");
        URI authorizeLicensed = new AuthenticationRequest.Builder(new ResponseType("code"), new Scope("openid"), new ClientID(licensed.clientId()),
                URI.create(REDIRECT)).endpointURI(op.getAuthorizationEndpointURI()).state(new State()).nonce(new Nonce())
                .codeChallenge(new CodeVerifier(), CodeChallengeMethod.S256).build().toURI();
        URI authorize = new AuthenticationRequest.Builder(new ResponseType("code"), new Scope("openid"), new ClientID(client.clientId()), URI.create(REDIRECT))
                .endpointURI(op.getAuthorizationEndpointURI()).state(new State()).nonce(new Nonce()).codeChallenge(new CodeVerifier(), CodeChallengeMethod.S256)
                .build().toURI();

        Browser browser = BrowserSupport.browser();
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("sv-SE"))) {
            Page page = context.newPage();
            page.navigate(baseUrl() + "/sign-in");
            assertThat(page.locator("h1").textContent()).isEqualTo("Logga in till dina läromedel");
            assertThat(page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Svenska")).count()).as("one header").isEqualTo(1);
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "sso-01-sign-in-sv");

            page.getByLabel("Användarnamn").fill(username);
            page.keyboard().press("Tab");
            page.keyboard().type(PASSWORD);
            page.keyboard().press("Enter");
            page.waitForURL(url -> url.endsWith("/start"));
            assertThat(page.locator("main").textContent()).contains("Dina läromedel").contains("Digital matematik");
            // one click to the product, which starts its sign-in at this provider (OpenID Connect third-party initiated login)
            assertThat(page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Digital matematik")).getAttribute("href"))
                    .isEqualTo("https://matematik.example/login?iss=" + baseUrl());
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "sso-02-start-sv");

            // the first sign-in to a licensed product: what the school shares with its supplier, and why
            page.navigate(authorizeLicensed.toString());
            page.waitForURL(url -> url.contains("/start/notice"));
            assertThat(page.locator("h1").textContent()).isEqualTo("Innan du öppnar Digital matematik");
            assertThat(page.locator("ul.notice-data").textContent()).contains("Pseudonym");
            assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Fortsätt till Digital matematik")).isVisible()).isTrue();
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "sso-025-first-sign-in-notice-sv");

            page.navigate(authorize.toString());
            page.waitForURL(url -> url.endsWith("/start/no-licence"));
            assertThat(page.locator("main").textContent()).contains("Din skola har inte gett dig någon licens för Digital matematik");
            assertThat(page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Tillbaka till Digital matematik")).getAttribute("href"))
                    .startsWith(REDIRECT + "?error=access_denied");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "sso-03-no-licence-sv");

            page.navigate(baseUrl() + "/start?lang=en");
            assertThat(page.locator("h1").textContent()).isEqualTo("Your learning materials");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
        }
    }

    @Test
    void aPupilSignsInToASuppliersSamlServiceProviderThroughToItsAcsPage() throws Exception {
        Sp sp = registeredSp(false);
        UUID pupil = fixture.persons.get(19);
        String username = "saml-elev-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.setPassword(pupil, username, PASSWORD, "test");
        com.onelogin.saml2.authn.AuthnRequest request = new com.onelogin.saml2.authn.AuthnRequest(sp.settings());
        URI sso = redirectUrl(request, "/lektion/1", null);
        AtomicReference<String> posted = new AtomicReference<>();

        Browser browser = BrowserSupport.browser();
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("sv-SE"))) {
            // the supplier's ACS: this browser's requests to it are answered here, where java-saml reads what was posted
            context.route(url -> url.startsWith(sp.acs()), route -> {
                posted.set(route.request().postData());
                route.fulfill(new com.microsoft.playwright.Route.FulfillOptions().setStatus(200).setContentType("text/html; charset=utf-8")
                        .setBody("<!DOCTYPE html><html lang=\"sv\"><head><title>Digital matematik</title></head>"
                                + "<body><main><h1>Välkommen till Digital matematik</h1></main></body></html>"));
            });
            Page page = context.newPage();
            page.navigate(sso.toString());
            page.waitForURL(url -> url.contains("/sign-in"));
            assertThat(page.locator("h1").textContent()).isEqualTo("Logga in till dina läromedel");
            page.getByLabel("Användarnamn").fill(username);
            page.keyboard().press("Tab");
            page.keyboard().type(PASSWORD);
            page.keyboard().press("Enter");

            // back at the SAML sign-in: the first time, what the school shares with the supplier
            page.waitForURL(url -> url.contains("/saml2/idp/continue"));
            assertThat(page.locator("h1").textContent()).contains("Digital matematik");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "sso-10-saml-notice-sv");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Fortsätt till Digital matematik")).press("Enter");

            // the page that posts the Response sends itself on to the SP's ACS
            page.waitForURL(sp.acs());
            assertThat(page.locator("h1").textContent()).isEqualTo("Välkommen till Digital matematik");
            BrowserSupport.screenshot(page, "sso-11-saml-acs-sv");
        }
        java.util.Map<String, String> form = new java.util.HashMap<>();
        for (String pair : posted.get().split("&")) {
            int eq = pair.indexOf('=');
            form.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(form).containsEntry("RelayState", "/lektion/1").doesNotContainKey("_csrf");
        com.onelogin.saml2.authn.SamlResponse response = new com.onelogin.saml2.authn.SamlResponse(sp.settings(),
                new com.onelogin.saml2.http.HttpRequest(sp.acs()).addParameter("SAMLResponse", form.get("SAMLResponse")));
        assertThat(response.isValid(request.getId())).as(String.valueOf(response.getError())).isTrue();
    }
}
