package org.tilldela.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.BrowserSupport;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.GrantScope;
import org.tilldela.ledger.Channel;
import org.tilldela.licensing.LicencePools;
import org.tilldela.purchase.BuyerScopes;

/**
 * In a real browser: a buyer opens the utilisation page after the supplier reported usage, and the chart
 * draws exactly the table's figures; the page passes axe's WCAG 2.1 AA checks in English, Swedish and Danish.
 */
class UtilisationBrowserTest extends IntegrationTest {

    private static final String PASSWORD = "utilisation-browser-password";

    @LocalServerPort int port;
    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired ReleasePolicy policy;
    @Autowired UsageReports reports;
    @Autowired AdminAccounts accounts;
    @Autowired BuyerScopes buyerScopes;
    @Autowired org.tilldela.governance.AdminGrants grants;
    @Autowired UtilisationCounts counts;
    @Autowired org.springframework.context.ApplicationContext applicationContext;

    @Test
    void aBuyerSeesTheChartOfSeatsBoughtAssignedAndUsed() throws Exception {
        AccessFixture fixture = new AccessFixture(imports, jdbc, catalog, pools, 300);
        List<UsageReports.ReportedRow> rows = new ArrayList<>();
        var released = policy.releaseAll(fixture.persons, fixture.productId, Channel.SCIM_PUSH);
        for (int i = 0; i < 14; i++) {
            rows.add(new UsageReports.ReportedRow((String) released.get(i).values().get(Attribute.PSEUDONYMOUS_ID), fixture.productId.toString(),
                    LocalDate.now().minusDays(i % 5).toString(), null, 3, 9));
        }
        assertThat(reports.report(fixture.supplierId, "test", rows).accepted()).isEqualTo(14);
        String buyer = "util-web-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(buyer, "Utilisation web", PASSWORD, EnumSet.of(AdminRight.BUYER), "test");
        buyerScopes.set(buyer, fixture.organiserId, "test");
        long assigned = fixture.persons.size() + fixture.protectedPersons.size();

        Browser browser = BrowserSupport.browser();
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("en-GB"))) {
            Page page = context.newPage();
            BrowserSupport.signIn(page, port, "en", buyer, PASSWORD);

            page.navigate("http://localhost:" + port + "/utilisation?lang=en");
            assertThat(page.locator("h1").textContent()).isEqualTo("Utilisation of licences");
            assertThat(page.locator("nav a[aria-current=page]").textContent()).isEqualTo("Utilisation");
            page.waitForFunction("() => window.Chart && Chart.getChart(document.getElementById('utilisation-chart'))");
            // the chart's bars are the table's figures: bought 1000, assigned, used 14
            Object drawn = page.evaluate("() => Chart.getChart(document.getElementById('utilisation-chart')).data.datasets.map(d => d.label + '=' + d.data.join(','))");
            assertThat(drawn).isEqualTo(List.of("Seats bought=1000", "Assigned=" + assigned, "Used=14"));
            assertThat(page.locator("#utilisation-table tbody tr").count()).isEqualTo(1);
            assertThat(page.locator("#utilisation-table tbody tr td").nth(3).textContent()).isEqualTo("14");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "utilisation-01-chart-en");

            page.getByLabel("From").fill(LocalDate.now().minusDays(1).toString());
            page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Show")).click();
            page.waitForURL(url -> url.contains("from="));
            page.waitForFunction("() => window.Chart && Chart.getChart(document.getElementById('utilisation-chart'))");
            assertThat(page.locator("#utilisation-table tbody tr td").nth(3).textContent()).as("active today or yesterday").isEqualTo("6");

            // one product chosen: its split per school unit and its trend over terms, each a chart drawn from its table
            // found by name as it is typed (htmx lists the matches), then chosen
            page.getByLabel("Find the product (title or article number)").fill(catalog.product(fixture.productId).orElseThrow().title());
            page.locator("#product-choices input[value='" + fixture.productId + "']").check();
            page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Show")).click();
            page.waitForURL(url -> url.contains("product="));
            page.waitForFunction("() => window.Chart && Chart.getChart(document.getElementById('units-chart')) && Chart.getChart(document.getElementById('terms-chart'))");
            for (String chart : List.of("units", "terms")) {
                Object same = page.evaluate("""
                        name => {
                          const c = Chart.getChart(document.getElementById(name + '-chart'));
                          const table = document.getElementById(name + '-table');
                          const heads = [...table.tHead.rows[0].cells];
                          const rows = [...table.tBodies[0].rows];
                          const series = heads.map((th, i) => th.dataset.series ? i : -1).filter(i => i >= 0);
                          return c.data.datasets.length === series.length && c.data.datasets.every((d, k) => d.data.length === rows.length
                            && d.data.every((v, r) => { const cell = rows[r].cells[series[k]].dataset.value;
                                                         return (cell === undefined || cell === '' ? null : Number(cell)) === v; }));
                        }""", chart);
                assertThat(same).as(chart + ": the chart draws the table's figures").isEqualTo(true);
            }
            assertThat(page.locator("#units-table tbody tr").count()).isGreaterThan(0);
            assertThat(page.locator("#terms-table tbody tr").count()).isEqualTo(Utilisation.TERMS);
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "utilisation-04-units-and-terms-en");

            // a long table a page at a time: two school units a page here (50 as shipped), the chart drawn from the page shown
            int unitRows = page.locator("#units-table tbody tr").count();
            assertThat(unitRows).as("the fixture's holders are placed at several school units").isGreaterThan(2);
            Object pages = applicationContext.getBean("utilisationPages");
            org.springframework.test.util.ReflectionTestUtils.setField(pages, "rowsPerPage", 2);
            try {
                page.reload();
                page.waitForFunction("() => window.Chart && Chart.getChart(document.getElementById('units-chart'))");
                assertThat(page.locator("#units-table tbody tr").count()).isEqualTo(2);
                assertThat(page.locator("#units nav.pager").textContent()).contains("Rows 1–2 of " + unitRows);
                page.locator("#units nav.pager").getByText("Next page").focus();
                page.keyboard().press("Enter");
                page.waitForURL(url -> url.contains("unitsPage=2"));
                page.waitForFunction("() => window.Chart && Chart.getChart(document.getElementById('units-chart'))");
                assertThat(page.locator("#units nav.pager").textContent()).contains("Rows 3–" + Math.min(4, unitRows) + " of " + unitRows);
                Object bars = page.evaluate("() => Chart.getChart(document.getElementById('units-chart')).data.labels.length");
                assertThat(bars).as("the chart draws the rows shown").isEqualTo(Math.min(2, unitRows - 2));
                assertThat(page.locator("#units nav.pager a[rel=prev]").count()).isEqualTo(1);
                assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
                BrowserSupport.screenshot(page, "utilisation-09-units-page-2-en");
            } finally {
                org.springframework.test.util.ReflectionTestUtils.setField(pages, "rowsPerPage", 50);
            }

            page.navigate("http://localhost:" + port + "/utilisation?lang=sv");
            assertThat(page.locator("h1").textContent()).isEqualTo("Nyttjande av licenser");
            page.waitForFunction("() => window.Chart && Chart.getChart(document.getElementById('utilisation-chart'))");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "utilisation-02-chart-sv");

            page.navigate("http://localhost:" + port + "/utilisation?lang=da");
            assertThat(page.locator("h1").textContent()).isEqualTo("Udnyttelse af licenser");
            page.waitForFunction("() => window.Chart && Chart.getChart(document.getElementById('utilisation-chart'))");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "utilisation-03-chart-da");
        }

        // a purchasing centre (REGIONAL) over the organiser: the same page per organiser, in Swedish, without the split per school unit
        String root = "util-web-root-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        String region = "util-web-region-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(root, region, "Inköpscentral", PASSWORD);
        grants.grant(root, region, AdminRight.REGIONAL, GrantScope.units(java.util.Set.of(fixture.organiserId), java.util.Set.of()));
        String organiserName = jdbc.sql("select name from organisation where id = :o").param("o", fixture.organiserId).query(String.class).single();
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("sv-SE"))) {
            Page page = context.newPage();
            BrowserSupport.signIn(page, port, "sv", region, PASSWORD);
            page.getByRole(com.microsoft.playwright.options.AriaRole.LINK, new Page.GetByRoleOptions().setName("Nyttjande")).click();
            page.waitForURL(url -> url.contains("/utilisation"));
            page.waitForFunction("() => window.Chart && Chart.getChart(document.getElementById('utilisation-chart'))");
            assertThat(page.locator("#utilisation-table thead th").nth(1).textContent()).isEqualTo("Huvudman");
            assertThat(page.locator("#utilisation-table tbody tr th, #utilisation-table tbody tr td").allTextContents()).contains(organiserName);
            Object drawn = page.evaluate("() => Chart.getChart(document.getElementById('utilisation-chart')).data.datasets.map(d => d.data.join(','))");
            assertThat(drawn).isEqualTo(List.of("1000", Long.toString(assigned), "14"));
            assertThat(page.locator("#units").count()).as("no split per school unit").isZero();
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "utilisation-05-regional-sv");
        }
    }

    @Test
    void onALargeInstallationAChosenPeriodIsCountedInTheBackgroundAndThePageShowsItWhenDone() throws Exception {
        AccessFixture fixture = new AccessFixture(imports, jdbc, catalog, pools, 120);
        String buyer = "util-count-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(buyer, "Utilisation counting", PASSWORD, EnumSet.of(AdminRight.BUYER), "test");
        buyerScopes.set(buyer, fixture.organiserId, "test");
        long before = counts.liveBelow();
        counts.liveBelow(0); // as an installation of millions: the default period kept, a chosen one counted in the background
        try (BrowserContext context = BrowserSupport.browser().newContext(new Browser.NewContextOptions().setLocale("en-GB"))) {
            Page page = context.newPage();
            BrowserSupport.signIn(page, port, "en", buyer, PASSWORD);
            page.navigate("http://localhost:" + port + "/utilisation?lang=en&from=" + LocalDate.now().minusDays(20) + "&to=" + LocalDate.now());
            assertThat(page.locator("#counting[role=status]").textContent()).contains("Counting the figures for " + LocalDate.now().minusDays(20));
            assertThat(page.locator("#utilisation-table").count()).isZero();
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "utilisation-06-counting-en");
            // the page asks every few seconds and loads itself again once the figures are counted
            page.waitForSelector("#utilisation-table", new Page.WaitForSelectorOptions().setTimeout(30_000));
            assertThat(page.locator("#period-counted-at").textContent()).contains("counted at");
            assertThat(page.locator("#counting").count()).isZero();
            page.waitForFunction("() => window.Chart && Chart.getChart(document.getElementById('utilisation-chart'))");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "utilisation-07-counted-en");

            page.navigate("http://localhost:" + port + "/utilisation?lang=da&from=" + LocalDate.now().minusDays(60) + "&to=" + LocalDate.now());
            assertThat(page.locator("#counting[role=status]").textContent()).contains("optælles");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "utilisation-08-counting-da");
            page.waitForSelector("#utilisation-table", new Page.WaitForSelectorOptions().setTimeout(30_000));
        } finally {
            counts.liveBelow(before);
        }
    }
}
