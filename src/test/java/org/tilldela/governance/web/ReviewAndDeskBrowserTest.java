package org.tilldela.governance.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.BrowserSupport;
import org.tilldela.IntegrationTest;
import org.tilldela.governance.AccessReviews;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.GrantScope;
import org.tilldela.governance.ScopedMunicipality;

/**
 * The access review and the data protection desk in a real browser, one walk: a school's reviewer confirms one
 * grant and revokes another on the campaign's page, then opens the desk and one of its lists (and, in Danish and
 * English, the audit search and the second-factor enrolment page); every page is accessible (axe) in Swedish,
 * Danish and English.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReviewAndDeskBrowserTest extends IntegrationTest {

    private static final String PASSWORD = "review-browser-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AdminGrants grants;
    @Autowired
    AccessReviews reviews;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    org.tilldela.catalog.Catalog catalog;

    private Browser browser;
    private ScopedMunicipality m;
    private String reviewer, kept, dropped;
    private AdminGrants.Grant keptGrant, droppedGrant;
    private long review;
    private java.util.UUID supplier;

    @BeforeAll
    void setUp() {
        browser = BrowserSupport.browser();
        m = new ScopedMunicipality(jdbc);
        String root = "root-" + m.source;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        reviewer = "rektor-" + m.source;
        accounts.create(root, reviewer, "Rektor A-skolan", PASSWORD);
        grants.grant(root, reviewer, AdminRight.ACCOUNT_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of()));
        grants.grant(root, reviewer, AdminRight.DATA_PROTECTION_OFFICER, GrantScope.units(Set.of(m.organiser), Set.of()));
        kept = "larare-" + m.source;
        dropped = "vikarie-" + m.source;
        accounts.create(root, kept, "Lärare", PASSWORD);
        accounts.create(root, dropped, "Vikarie", PASSWORD);
        keptGrant = grants.grant(root, kept, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(m.schoolA), Set.of("GR")));
        droppedGrant = grants.grant(root, dropped, AdminRight.VIEW_PROTECTED_IDENTITIES, GrantScope.units(Set.of(m.schoolA), Set.of()));
        review = reviews.start(root, m.schoolA, reviewer, Instant.now()).id();
        supplier = java.util.UUID.randomUUID();
        catalog.save(new org.tilldela.catalog.Supplier(supplier, "Incidentförlaget " + m.source, "88" + Math.abs(m.source.hashCode()), "SE", Set.of("SE"),
                List.of(), List.of(), null));
    }

    @AfterAll
    void close() {
    }

    private Page signIn(BrowserContext context) {
        Page page = context.newPage();
        page.navigate(base() + "/login");
        page.locator("#username").fill(reviewer);
        page.locator("#password").fill(PASSWORD);
        page.locator("#password").press("Enter");
        page.waitForURL(url -> !url.endsWith("/login"));
        return page;
    }

    @Test
    void aReviewerConfirmsAndRevokesThenOpensTheDesk() {
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("sv-SE"))) {
            Page page = signIn(context);
            page.getByText("Behörighetsgranskning").first().click();
            assertThat(page.locator("h1").textContent()).isEqualTo("Behörighetsgranskning");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            page.locator("a[href='/admin/reviews/" + review + "']").click();
            page.waitForURL(url -> url.endsWith("/admin/reviews/" + review));
            assertThat(page.locator("main table tbody").textContent()).contains(kept).contains(dropped);
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();

            page.getByLabel("Bekräfta Grunddata och organisation för " + kept).click();
            page.waitForLoadState();
            assertThat(page.locator("p.alert.info").textContent()).isEqualTo("Behörigheten är bekräftad.");
            page.getByLabel("Återkalla Se skyddade identiteter från " + dropped).click();
            page.waitForLoadState();
            assertThat(page.locator("p.alert.info").textContent()).isEqualTo("Behörigheten är återkallad.");
            assertThat(page.locator("main table tbody").textContent()).contains("Bekräftad").contains("Återkallad av granskaren");
            assertThat(page.locator("dl.facts").textContent()).as("every grant decided: the campaign is done").contains("Avslutad");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "reviews-01-decided-sv");

            page.getByText("Dataskyddsskrivbord").first().click();
            assertThat(page.locator("h1").textContent()).isEqualTo("Dataskyddsskrivbord");
            assertThat(page.locator("main table").textContent()).contains("Leverantörer utan giltigt personuppgiftsbiträdesavtal")
                    // overdue deletions are counted within the officer's scope now (the ledger's query), not "whole installation only"
                    .contains("Försenade raderingar").doesNotContain("Bara för hela installationen");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "dpo-01-overview-sv");
            page.getByText("Behandling i tredjeland").click();
            assertThat(page.locator("h1").textContent()).isEqualTo("Behandling i tredjeland");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();

            // the record of processing activities: a version generated, listed with its CSV and PDF
            page.navigate(base() + "/dpo");
            page.getByText("Registerförteckning (GDPR art. 30)").click();
            assertThat(page.locator("h1").textContent()).isEqualTo("Registerförteckning (GDPR art. 30)");
            page.getByText("Skapa en ny version nu").click();
            page.waitForLoadState();
            assertThat(page.locator("p.alert.info").textContent()).startsWith("En ny version är skapad med");
            assertThat(page.locator("main table a").first().textContent()).isEqualTo("CSV");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "dpo-03-processing-record-sv");

            // a breach at the supplier: recorded, its page with the 72-hour clock and the draft notification
            page.navigate(base() + "/dpo/breaches");
            assertThat(page.locator("h1").textContent()).isEqualTo("Personuppgiftsincidenter");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            java.time.LocalDateTime now = java.time.LocalDateTime.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
            page.locator("#discoveredAt").fill(now.minusHours(3).toString());
            page.locator("#suppliers").selectOption(supplier.toString());
            page.locator("#periodFrom").fill(now.minusDays(14).toString());
            page.locator("#periodTo").fill(now.toString());
            page.locator("#description").fill("Elevlistor låg öppna hos leverantören.");
            page.getByText("Registrera incidenten").click();
            page.waitForLoadState();
            assertThat(page.locator("h1").textContent()).startsWith("Incident ");
            assertThat(page.locator("main").textContent()).contains("timmar kvar att anmäla").contains("Berörda personer: 0")
                    .contains("Anmälan om personuppgiftsincident");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "dpo-04-breach-sv");

            // rights from duties, for the account administrator
            page.navigate(base() + "/admin/duty-rules");
            assertThat(page.locator("h1").textContent()).isEqualTo("Behörighet via tjänst");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
        }
        assertThat(grants.find(keptGrant.id())).isPresent();
        assertThat(grants.find(droppedGrant.id())).isEmpty();

        for (var language : List.of(List.of("da", "Rettighedsgennemgang", "Databeskyttelsesskrivebord"),
                List.of("en", "Access reviews", "Data protection desk"))) {
            try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale(language.get(0)))) {
                Page page = signIn(context);
                page.navigate(base() + "/admin/reviews");
                assertThat(page.locator("h1").textContent()).isEqualTo(language.get(1));
                assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
                page.navigate(base() + "/admin/reviews/" + review);
                assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
                BrowserSupport.screenshot(page, "reviews-02-review-" + language.get(0));
                page.navigate(base() + "/dpo");
                assertThat(page.locator("h1").textContent()).isEqualTo(language.get(2));
                assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
                BrowserSupport.screenshot(page, "dpo-02-overview-" + language.get(0));
                page.navigate(base() + "/dpo/protected-views");
                assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
                page.navigate(base() + "/dpo/processing-record");
                assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
                page.navigate(base() + "/dpo/breaches");
                assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
                page.locator("main table a").first().click();
                page.waitForLoadState();
                assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
                page.navigate(base() + "/admin/duty-rules");
                assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
                page.navigate(base() + "/account/second-factor");
                assertThat(page.locator("main svg[role=img]").count()).isEqualTo(1);
                assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
                page.navigate(base() + "/admin/audit");
                assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
                BrowserSupport.screenshot(page, "audit-01-search-" + language.get(0));
            }
        }
    }

    private String base() {
        return "http://localhost:" + port;
    }
}
