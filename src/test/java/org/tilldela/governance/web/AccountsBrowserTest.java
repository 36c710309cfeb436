package org.tilldela.governance.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
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

/**
 * The accounts page in a real browser, one walk: an organiser's account administrator creates an account
 * and grants it a right over one of the organiser's schools, choosing among its own units only; the pages
 * are accessible (axe) in Swedish, Danish and English, the account page with its form binding the account to the
 * organiser's own identity provider.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountsBrowserTest extends IntegrationTest {

    private static final String PASSWORD = "accounts-browser-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AdminGrants grants;
    @Autowired
    JdbcClient jdbc;

    private Browser browser;
    private ScopedMunicipality m;
    private String organiserAdmin;

    @BeforeAll
    void setUp() {
        browser = BrowserSupport.browser();
        m = new ScopedMunicipality(jdbc);
        String root = "root-" + m.source;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        organiserAdmin = "kommun-" + m.source;
        accounts.create(root, organiserAdmin, "Kommunens kontoansvarige", PASSWORD);
        for (AdminRight right : List.of(AdminRight.ACCOUNT_ADMIN, AdminRight.DIRECTORY_ADMIN)) {
            grants.grant(root, organiserAdmin, right, GrantScope.units(Set.of(m.organiser), Set.of()));
        }
        // the organiser signs its staff in through an identity provider of its own: an account page then offers to bind the
        // account there (the form is checked with axe below; the provider is never called, its secret never read)
        jdbc.sql("""
                        insert into sso_upstream_provider (id, organiser_id, issuer, client_id, client_secret, scopes, match_claim, match_field, registered_by)
                        values (gen_random_uuid(), :organiser, 'https://idp.example.org', 'tilldela', '\\x00', 'openid', 'email', 'EMAIL', 'test')
                        """).param("organiser", m.organiser).update();
    }

    @Test
    void anOrganisersAccountAdministratorCreatesAnAccountAndGrantsWithinItsOwnUnits() {
        String created = "rektor-" + m.source;
        String u = m.source.substring("scopes-".length());
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("sv-SE"))) {
            Page page = context.newPage();
            page.navigate(base() + "/login");
            page.locator("#username").fill(organiserAdmin);
            page.locator("#password").fill(PASSWORD);
            page.locator("#password").press("Enter");
            page.waitForURL(url -> !url.endsWith("/login"));

            page.getByText("Konton").first().click();
            assertThat(page.locator("h1").textContent()).isEqualTo("Administratörskonton");
            // the root account holds grants over the whole installation: beyond this administrator's reach
            assertThat(page.locator("main table").textContent()).contains(organiserAdmin).doesNotContain("root-" + m.source);
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();

            page.locator("#username").fill(created);
            page.locator("#displayName").fill("Rektor på A-skolan");
            page.locator("#password").fill(PASSWORD);
            page.locator("#password").press("Enter");
            page.waitForURL(url -> url.endsWith("/admin/accounts/" + created));
            assertThat(page.locator("p.alert.info").textContent()).startsWith("Kontot har skapats.");
            // the units are found by name, as they are typed: its own organiser's schools only, never the other organiser's
            page.getByLabel("Sök huvudmannen eller skolenheten", new Page.GetByLabelOptions().setExact(true)).fill("skolan " + u);
            page.locator("#unit-choices input[value='" + m.schoolB + "']").waitFor();
            assertThat(page.locator("#unit-choices label").allTextContents()).anyMatch(t -> t.contains("A-skolan " + u))
                    .anyMatch(t -> t.contains("B-skolan " + u)).noneMatch(t -> t.contains("C-skolan " + u));
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();

            page.locator("#right").selectOption("DIRECTORY_ADMIN");
            page.locator("#unit-choices input[value='" + m.schoolA + "']").check();
            page.locator("#schoolForms").selectOption("GR");
            page.getByText("Dela ut", new Page.GetByTextOptions().setExact(true)).click();
            page.waitForLoadState();
            assertThat(page.locator("p.alert.info").textContent()).isEqualTo("Behörigheten har delats ut.");
            assertThat(page.locator("main table tbody").textContent()).contains("Grunddata och organisation").contains("A-skolan " + u).contains("GR");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "accounts-01-granted-sv");
        }
        assertThat(grants.of(created)).singleElement().satisfies(g -> {
            assertThat(g.organisations()).containsExactly(m.schoolA);
            assertThat(g.schoolForms()).containsExactly("GR");
            assertThat(g.grantedBy()).isEqualTo(organiserAdmin);
        });
        for (var language : List.of(List.of("da", "Administratorkonti", "Tildel en rettighed"), List.of("en", "Administrator accounts", "Grant a right"))) {
            try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale(language.get(0)))) {
                Page page = context.newPage();
                page.navigate(base() + "/login");
                page.locator("#username").fill(organiserAdmin);
                page.locator("#password").fill(PASSWORD);
                page.locator("#password").press("Enter");
                page.waitForURL(url -> !url.endsWith("/login"));
                page.navigate(base() + "/admin/accounts");
                assertThat(page.locator("h1").textContent()).isEqualTo(language.get(1));
                page.navigate(base() + "/admin/accounts/" + created);
                assertThat(page.locator("#grant-heading").textContent()).isEqualTo(language.get(2));
                assertThat(page.locator("#upstream-organiser option").allTextContents()).as("the upstream binding form").hasSize(2);
                assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
                BrowserSupport.screenshot(page, "accounts-02-account-" + language.get(0));
            }
        }
    }

    private String base() {
        return "http://localhost:" + port;
    }
}
