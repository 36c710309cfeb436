package org.tilldela.governance.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.BrowserSupport;
import org.tilldela.IntegrationTest;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.GrantScope;
import org.tilldela.governance.ScopedMunicipality;
import org.tilldela.governance.SecondFactor;

/**
 * Three pages in a real browser, accessible (axe) and photographed: the regional purchasing centre's page (counts per
 * organiser within its scope, never a person); an account with a second factor creating a personal API token, shown
 * once; and the account holder's own e-mail and language page, with its error and its saved state.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OwnAccountAndRegionalBrowserTest extends IntegrationTest {

    private static final String PASSWORD = "own-account-browser-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AdminGrants grants;
    @Autowired
    SecondFactor secondFactor;
    @Autowired
    JdbcClient jdbc;

    private Browser browser;
    private ScopedMunicipality m;
    private String root;

    @BeforeAll
    void setUp() {
        browser = BrowserSupport.browser();
        m = new ScopedMunicipality(jdbc);
        root = "root-" + m.source;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
    }

    private String base() {
        return "http://localhost:" + port;
    }

    private void signIn(Page page, String username) {
        page.navigate(base() + "/login");
        page.locator("#username").fill(username);
        page.locator("#password").fill(PASSWORD);
        page.locator("#password").press("Enter");
        page.waitForURL(url -> !url.endsWith("/login"));
    }

    @Test
    void theRegionalPageCountsPerOrganiserWithinScopeAndNamesNobody() {
        String regional = "region-" + m.source;
        accounts.create(root, regional, "Inköpscentralen", PASSWORD);
        grants.grant(root, regional, AdminRight.REGIONAL, GrantScope.units(Set.of(m.organiser, m.otherOrganiser), Set.of()));
        String u = m.source.substring("scopes-".length());
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("sv-SE"))) {
            Page page = context.newPage();
            signIn(page, regional);
            page.navigate(base() + "/regional");
            assertThat(page.locator("h1").textContent()).isEqualTo("Huvudmän i er region");
            List<String> rows = page.locator("main table tbody tr").allTextContents();
            assertThat(rows).anyMatch(r -> r.contains("Provby kommun " + u)).anyMatch(r -> r.contains("Grannby kommun " + u));
            String main = page.locator("main").textContent();
            for (String family : List.of(m.familyA, m.familyB, m.familyPre, m.familyProtected, m.familyC)) {
                assertThat(main).doesNotContain(family);
            }
            assertThat(page.content()).doesNotContain(m.a1.toString()).doesNotContain(m.c1.toString());
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "regional-01-organisers-sv");
        }
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("da-DK"))) {
            Page page = context.newPage();
            signIn(page, regional);
            page.navigate(base() + "/regional");
            assertThat(page.locator("h1").textContent()).isEqualTo("Skoleejere i jeres region");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
        }
    }

    @Test
    void anAccountWithASecondFactorCreatesAnApiTokenAndSeesItOnce() throws Exception {
        String name = "tokens-" + m.source;
        accounts.create(name, "Nyckelhållaren", PASSWORD, Set.of(AdminRight.DIRECTORY_ADMIN), "test");
        SecondFactor.Offer offer = secondFactor.offer(name);
        assertThat(secondFactor.confirm(name, code(offer.secret(), Instant.now()), "127.0.0.1", Instant.now())).isEqualTo(SecondFactor.Outcome.ACCEPTED);
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("en-GB"))) {
            Page page = context.newPage();
            signIn(page, name);
            assertThat(page.url()).endsWith("/login/second-factor");
            // the code of the next step: the current one was used to enrol, and a code counts once
            page.locator("#code").fill(code(offer.secret(), Instant.now().plusSeconds(30)));
            page.locator("#code").press("Enter");
            page.waitForURL(url -> !url.contains("/login"));

            page.navigate(base() + "/account/api-tokens");
            assertThat(page.locator("h1").textContent()).isEqualTo("Personal API tokens");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            page.locator("#name").fill("Nightly export");
            page.locator("#days").fill("30");
            page.getByText("Create a token", new Page.GetByTextOptions().setExact(true)).click();
            page.waitForLoadState();
            String token = page.locator("code.api-token").textContent();
            assertThat(token).matches("tdl_[A-Za-z0-9_-]{43}");
            assertThat(page.locator("main").textContent()).contains("shown this once").contains("Nightly export");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "api-tokens-01-created-once-en");

            page.navigate(base() + "/account/api-tokens");
            assertThat(page.locator("code.api-token").count()).isZero();
            assertThat(page.content()).doesNotContain(token);
            assertThat(page.locator("main table tbody").textContent()).contains("Nightly export").contains("Valid");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "api-tokens-02-listed-en");
        }
    }

    @Test
    void theAccountHolderSetsTheirEmailAndLanguage() {
        String name = "kontakt-" + m.source;
        accounts.create(name, "Granskaren", PASSWORD, Set.of(AdminRight.DIRECTORY_ADMIN), "test");
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("sv-SE"))) {
            Page page = context.newPage();
            signIn(page, name);
            page.getByText("E-post och språk", new Page.GetByTextOptions().setExact(true)).first().click();
            page.waitForURL(url -> url.endsWith("/account/contact"));
            assertThat(page.locator("h1").textContent()).isEqualTo("E-post och språk");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            // the browser's own check of type=email would stop "granskare@" before the server sees it; the server's is tested here
            page.locator("#email").evaluate("e => e.type = 'text'");
            page.locator("#email").fill("granskare@");
            page.locator("#language").selectOption("da");
            page.getByText("Spara", new Page.GetByTextOptions().setExact(true)).click();
            page.waitForLoadState();
            assertThat(page.locator("#email-error").textContent()).startsWith("Det är ingen e-postadress");
            assertThat(page.locator("#email").getAttribute("aria-invalid")).isEqualTo("true");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "contact-01-refused-sv");

            page.locator("#email").fill("granskare@" + m.source + ".example.org");
            page.getByText("Spara", new Page.GetByTextOptions().setExact(true)).click();
            page.waitForLoadState();
            assertThat(page.locator("p.alert.info").textContent()).isEqualTo("E-postadressen och språket har sparats.");
            assertThat(page.locator("#language").inputValue()).isEqualTo("da");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "contact-02-saved-sv");
        }
        assertThat(accounts.contact(name)).isEqualTo(new AdminAccounts.Contact("granskare@" + m.source + ".example.org", "da"));
        // the account administrator sees and changes the same on the account's page, in English here
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("en-GB"))) {
            Page page = context.newPage();
            signIn(page, root);
            page.navigate(base() + "/admin/accounts/" + name);
            assertThat(page.locator("#contact-heading").textContent()).isEqualTo("E-mail and language");
            assertThat(page.locator("#email").inputValue()).isEqualTo("granskare@" + m.source + ".example.org");
            page.locator("#language").selectOption("en");
            page.getByText("Save", new Page.GetByTextOptions().setExact(true)).click();
            page.waitForLoadState();
            assertThat(page.locator("p.alert.info").textContent()).isEqualTo("The e-mail address and language have been saved.");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            page.locator("#contact-heading").scrollIntoViewIfNeeded();
            BrowserSupport.screenshot(page, "contact-03-account-page-en");
        }
        assertThat(accounts.contact(name).language()).isEqualTo("en");
    }

    private static String code(String base32, Instant at) throws Exception {
        TimeBasedOneTimePasswordGenerator totp = new TimeBasedOneTimePasswordGenerator();
        return totp.generateOneTimePasswordString(new SecretKeySpec(new Base32().decode(base32), totp.getAlgorithm()), at, Locale.ROOT);
    }
}
