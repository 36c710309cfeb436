package org.tilldela.access;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.BrowserSupport;
import org.tilldela.IntegrationTest;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.GrantScope;
import org.tilldela.governance.AdminRight;
import org.tilldela.ledger.Channel;
import org.tilldela.licensing.LicencePools;

/**
 * In a real browser: a school administrator files a data-access request for a supplier, approves it,
 * and — once a channel has released data under it — opens the pupil's "who has data about me" report
 * and finds the supplier there. Every page passes axe-core's WCAG 2.1 AA checks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessBrowserTest extends IntegrationTest {

    private static final String PASSWORD = "access-browser-password";

    @LocalServerPort int port;
    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired AdminAccounts accounts;
    @Autowired AdminGrants grants;
    @Autowired ReleasePolicy policy;
    @Autowired DataAccessAgreements agreements;

    AccessFixture fx;
    String admin;
    Browser browser;

    @BeforeAll
    void setUp() throws Exception {
        fx = new AccessFixture(imports, jdbc, catalog, pools);
        // every AccessFixture generates the same municipality (one seed): an administrator of the whole
        // installation would find ten organisers of this name in the picker, maybe none of them this one's
        String root = "root-" + fx.source;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        admin = "school-admin-" + fx.source;
        accounts.create(root, admin, "Skoladministratör", PASSWORD);
        for (AdminRight right : List.of(AdminRight.ACCESS_ADMIN, AdminRight.DATA_PROTECTION_OFFICER)) {
            grants.grant(root, admin, right, GrantScope.units(Set.of(fx.organiserId), Set.of()));
        }
        browser = BrowserSupport.browser();
    }

    @Test
    void aRequestIsFiledApprovedAndTheReleaseShowsInThePupilsReport() {
        String supplierName = catalog.supplier(fx.supplierId).orElseThrow().name();
        UUID pupil = fx.persons.getFirst();
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("en-GB"))) {
            Page page = context.newPage();
            page.navigate("http://localhost:" + port + "/login");
            page.getByLabel("Username").fill(admin);
            page.getByLabel("Password").fill(PASSWORD);
            page.getByLabel("Password").press("Enter");
            page.waitForURL(url -> url.endsWith("/access"));
            assertThat(page.locator("h1").textContent()).isEqualTo("Data access");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "access-01-requests");

            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("File a data-access request")).click();
            // the form's page loaded, scripts and all: typing before htmx has bound the picker would send nothing
            page.waitForURL(url -> url.contains("/access/requests/new"));
            // picked by name, as typed: the supplier, then its product and the organiser (no id anywhere)
            String productTitle = catalog.product(fx.productId).orElseThrow().title();
            String organiserName = jdbc.sql("select name from organisation where id = :id").param("id", fx.organiserId).query(String.class).single();
            page.waitForResponse(r -> r.url().contains("/access/pick/suppliers"), () -> page.getByLabel("Find the supplier (name)").fill(supplierName));
            page.getByLabel(supplierName).first().check();
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Show the supplier's products")).click();
            page.waitForURL(url -> url.contains("supplier="));
            page.getByLabel(productTitle).first().check();
            page.waitForResponse(r -> r.url().contains("/access/pick/scopes"),
                    () -> page.getByLabel("Find the organiser or school unit").fill(organiserName));
            page.locator("input[name=scope][value='" + fx.organiserId + "']").check();
            page.getByLabel("Package").selectOption("SMALL");
            page.getByLabel("Purpose").fill("Inloggning och klasslistor");
            page.getByLabel("Kept after the licence ends").fill("30");
            page.getByLabel("Legal basis").fill("Uppgift av allmänt intresse (GDPR art. 6.1 e)");
            page.getByLabel("Legal basis").press("Escape");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "access-02-file-request");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("File the request")).click();
            page.waitForURL(url -> url.matches(".*/access/requests/[0-9a-f-]{36}"));
            assertThat(page.locator("main").textContent()).contains("Awaiting decision").contains("Given name").contains("Family name");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "access-03-request");

            // narrowing without a reason is refused, in the reader's language
            String requestPage = page.url();
            page.navigate(requestPage + "?lang=sv");
            page.getByLabel("Efternamn").uncheck();
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Godkänn").setExact(true)).click();
            assertThat(page.getByRole(AriaRole.ALERT).textContent()).contains("Motivera varför begäran begränsas.");
            assertThat(page.locator("main").textContent()).contains("Väntar på beslut");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "access-03b-narrowing-needs-a-reason-sv");
            page.navigate(requestPage + "?lang=en");

            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Approve")).click();
            assertThat(page.getByRole(AriaRole.STATUS).textContent()).contains("The agreement is in force.");
            assertThat(page.locator("main").textContent()).contains("In force");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "access-04-approved");

            // a channel (say a sign-in) releases under the agreement: names now go
            Release release = policy.release(pupil, fx.productId, Channel.SSO_ID_TOKEN);
            assertThat(release.attributes()).contains(Attribute.GIVEN_NAME, Attribute.FAMILY_NAME);

            page.navigate("http://localhost:" + port + "/ledger/persons/" + pupil);
            assertThat(page.locator("main").textContent()).contains(supplierName);
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "access-05-person-report");
        }
    }
}
