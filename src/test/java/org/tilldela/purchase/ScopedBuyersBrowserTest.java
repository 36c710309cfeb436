package org.tilldela.purchase;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import java.util.EnumSet;
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
 * In a real browser, in Swedish: a directory administrator over school A, and over the organiser for preschool only, opens
 * Purchase → Buyers. School A's buyer has its remove control; school B's and the organiser's buyers (seen through the preschool
 * grant, but buying for every school form there) are read-only, without one. The page passes axe-core's WCAG 2.1 AA checks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScopedBuyersBrowserTest extends IntegrationTest {

    private static final String PASSWORD = "scoped-buyers-browser-password";

    @LocalServerPort int port;
    @Autowired JdbcClient jdbc;
    @Autowired AdminAccounts accounts;
    @Autowired AdminGrants grants;
    @Autowired BuyerScopes buyerScopes;

    ScopedMunicipality m;
    String admin, buyerA, buyerB, buyerOrg;
    Browser browser;

    @BeforeAll
    void setUp() {
        m = new ScopedMunicipality(jdbc);
        String root = "scoped-buyers-root-" + m.source;
        admin = "kat-" + m.source;
        accounts.create(root, "Root", PASSWORD, EnumSet.of(AdminRight.ACCOUNT_ADMIN, AdminRight.DIRECTORY_ADMIN, AdminRight.BUYER), "test");
        accounts.create(root, admin, "Katalogadministratör A-skolan", PASSWORD);
        grants.grant(root, admin, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        grants.grant(root, admin, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.organiser), Set.of("FS")));
        buyerA = buyer("inkopare-a-" + m.source, root);
        buyerB = buyer("inkopare-b-" + m.source, root);
        buyerOrg = buyer("inkopare-hm-" + m.source, root);
        buyerScopes.set(buyerA, m.schoolA, root);
        buyerScopes.set(buyerB, m.schoolB, root);
        buyerScopes.set(buyerOrg, m.organiser, root);
        browser = BrowserSupport.browser();
    }

    private String buyer(String name, String root) {
        accounts.create(root, name, "Inköpare", PASSWORD);
        return name;
    }

    @Test
    void buyersTheAdministratorMayNotChangeAreReadOnly() {
        String base = "http://localhost:" + port;
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("sv-SE"))) {
            Page page = context.newPage();
            BrowserSupport.signIn(page, port, "sv", admin, PASSWORD);
            page.navigate(base + "/purchase/buyers");
            assertThat(page.locator("h1").textContent()).isEqualTo("Inköpare");
            assertThat(row(page, buyerA).locator("form[action='/purchase/buyers/remove']").count()).isEqualTo(1);
            for (String notTheirs : new String[] {buyerB, buyerOrg}) {
                assertThat(row(page, notTheirs).locator("form[action='/purchase/buyers/remove']").count()).as(notTheirs).isZero();
                assertThat(row(page, notTheirs).textContent()).as(notTheirs).contains("Endast läsning");
            }
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "buyers-scoped-01-read-only-sv");
        }
    }

    private static com.microsoft.playwright.Locator row(Page page, String buyer) {
        return page.locator("tbody tr").filter(new com.microsoft.playwright.Locator.FilterOptions().setHasText(buyer));
    }
}
