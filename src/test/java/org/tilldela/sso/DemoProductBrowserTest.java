package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tilldela.BrowserSupport;

/**
 * The README's demo walk in a real browser, with screenshots: the administrator has registered the demo
 * product's client (through the API); a pupil signs in with a local account, lands on the start page,
 * clicks the product's tile, reads the first-sign-in notice, and the demo product shows the claims it
 * received — the approved package; then the data protection officer finds the release in the ledger's
 * feed and in the pupil's per-person report. Tilldela's pages and the demo product's are checked with axe.
 */
class DemoProductBrowserTest extends DemoProductTestSupport {

    @Test
    void aPupilOpensTheDemoProductAndTheReleaseIsInTheLedger() throws Exception {
        String title = "Språkverkstaden 7";
        schoolWithAnApprovedProduct(title, fixture.persons.get(17));
        demoProductRegistered();
        List<String> names = jdbc.sql("select given_name, family_name from person where id = :p").param("p", pupil)
                .query((rs, n) -> List.of(rs.getString(1), rs.getString(2))).single();

        Browser browser = BrowserSupport.browser();
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("sv-SE"))) {
            Page page = context.newPage();
            page.navigate(baseUrl() + "/sign-in");
            page.getByLabel("Användarnamn").fill(pupilUsername);
            page.getByLabel("Lösenord").fill(PASSWORD);
            page.getByLabel("Lösenord").press("Enter");
            page.waitForURL(url -> url.endsWith("/start"));
            var tile = page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(title));
            assertThat(tile.getAttribute("href")).isEqualTo(demo.initiateLoginUri() + "?iss=" + baseUrl());
            assertThat(page.locator("main").textContent()).contains("Nordiska Läromedel");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "sso-demo-01-start-sv");

            tile.click();
            page.waitForURL(url -> url.contains("/start/notice"));
            assertThat(page.locator("h1").textContent()).isEqualTo("Innan du öppnar " + title);
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "sso-demo-02-notice-sv");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Fortsätt till " + title)).click();

            page.waitForURL(url -> url.equals(demo.address() + "/"));
            assertThat(page.locator("h1").textContent()).isEqualTo("Signed in to " + title);
            String received = page.locator("#id-token-claims").textContent();
            assertThat(received).contains("sub").contains("given_name").contains(names.get(0)).contains("family_name").contains(names.get(1))
                    .contains("groups").doesNotContain("email");
            assertThat(page.locator("#id-token-claims tbody tr").count()).isEqualTo(approvedClaims().size());
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "sso-demo-03-product");

            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out")).click();
            page.waitForURL(url -> url.startsWith(demo.address() + "/?state="));
            assertThat(page.locator("[role=status]").textContent()).contains("You are signed out of " + title + " and of Tilldela");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "sso-demo-04-product-signed-out");
        }

        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("sv-SE"))) {
            Page page = context.newPage();
            page.navigate(baseUrl() + "/login");
            page.getByLabel("Användarnamn").fill(admin);
            page.getByLabel("Lösenord").fill(ADMIN_PASSWORD);
            page.getByLabel("Lösenord").press("Enter");
            page.waitForURL(url -> !url.contains("/login"));

            // the live feed, filtered to the product: the sign-in's releases, newest first
            page.navigate(baseUrl() + "/ledger/feed?product=" + product.id());
            com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat(page.locator("table.feed")).containsText(title);
            com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat(page.locator("table.feed")).containsText(supplier.name());
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "sso-demo-05-ledger-feed-sv");

            // who has data about the pupil: found by the name the product showed
            page.navigate(baseUrl() + "/ledger");
            // given and family name (the README's way): a family name alone may match more than a page of people in a shared database
            page.getByLabel("Namn eller person-id").fill(names.get(0).split(" ")[0] + " " + names.get(1).split(" ")[0]);
            page.getByLabel("Namn eller person-id").press("Enter");
            page.waitForLoadState();
            if (page.locator("a[href='/ledger/persons/" + pupil + "']").count() == 0) {
                // the shared test database may hold more namesakes than one page of results (synthetic names repeat):
                // then by the person id, the search's other way, which opens the person's report at once
                page.getByLabel("Namn eller person-id").fill(pupil.toString());
                page.getByLabel("Namn eller person-id").press("Enter");
            } else {
                page.locator("a[href='/ledger/persons/" + pupil + "']").click();
            }
            page.waitForURL(url -> url.contains("/ledger/persons/" + pupil));
            assertThat(page.locator("h1").textContent()).contains(names.get(0)).contains(names.get(1));
            assertThat(page.locator("table.recipients").textContent()).contains(supplier.name()).contains(title).contains("Förnamn").contains("Efternamn");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "sso-demo-06-person-report-sv");
        }
    }
}
