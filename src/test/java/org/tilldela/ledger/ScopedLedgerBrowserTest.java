package org.tilldela.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.tilldela.BrowserSupport;
import org.tilldela.catalog.Catalog;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;

/**
 * In a real browser, in Swedish: a school unit's data protection officer (a grant over school A) walks the ledger. The
 * overview lists the recipient holding data about their school's pupil, counted for that pupil only, and not the one
 * holding only the neighbouring school's; the menu offers no verification of the chain (it vouches for the whole ledger);
 * the live feed holds their pupil's release and no other school's. Every page passes axe-core's WCAG 2.1 AA checks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScopedLedgerBrowserTest extends LedgerTestSupport {

    @LocalServerPort int port;
    @Autowired AdminAccounts accounts;
    @Autowired AdminGrants grants;
    @Autowired Catalog catalog;
    @Autowired Retention retention;

    LedgerScopeFixture fx;
    Browser browser;

    @BeforeAll
    void setUp() {
        fx = new LedgerScopeFixture(jdbc, accounts, grants, catalog, retention, ledger, tx);
        browser = BrowserSupport.browser();
    }

    @Test
    void aSchoolsDataProtectionOfficerWalksTheLedgerInSwedish() {
        String base = "http://localhost:" + port;
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("sv-SE"))) {
            Page page = context.newPage();
            BrowserSupport.signIn(page, port, "sv", fx.schoolOfficer, LedgerScopeFixture.PASSWORD);
            page.navigate(base + "/ledger");
            assertThat(page.locator("h1").textContent()).isEqualTo("Utlämnanden");
            String main = page.locator("main").textContent();
            assertThat(main).contains("inom ditt ansvarsområde", fx.bothName).doesNotContain(fx.onlyBName);
            // the recipient's row counts school A's one pupil: 1 person, 1 product, 1 overdue deletion
            assertThat(page.locator("tr", new Page.LocatorOptions().setHasText(fx.bothName)).locator("td").allTextContents())
                    .containsExactly("1", "1", "1");
            assertThat(page.locator("a[href='/ledger/feed']").count()).isEqualTo(1);
            assertThat(page.locator("a[href='/ledger/verify']").count()).isZero();
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "ledger-scoped-01-overview-swedish");

            page.locator("nav.subnav a[href='/ledger/feed']").click();
            page.waitForURL(url -> url.contains("/ledger/feed"));
            String feed = page.locator("table.feed").textContent();
            assertThat(feed).contains(fx.m.familyA, fx.bothName).doesNotContain(fx.m.familyB, fx.m.familyProtected, fx.onlyBName);
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "ledger-scoped-02-feed-swedish");

            page.navigate(base + "/ledger/suppliers/" + fx.both);
            assertThat(page.locator("main").textContent()).contains(fx.bothName, fx.productBothName);
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "ledger-scoped-03-inventory-swedish");
        }
    }
}
