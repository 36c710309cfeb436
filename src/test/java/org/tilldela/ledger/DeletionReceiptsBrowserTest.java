package org.tilldela.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.tilldela.BrowserSupport;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogFixtures;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/**
 * In a real browser: the data protection officer sees the overdue deletions with each request's receipt
 * (sent when and how, the supplier's answer), downloads them as CSV, and reads on a person's report that
 * one recipient confirmed the deletion and another has not; in English and Danish, axe-clean.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeletionReceiptsBrowserTest extends LedgerTestSupport {

    private static final String PASSWORD = "deletion-browser-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    Catalog catalog;
    @Autowired
    Retention retention;

    private Browser browser;
    private String dpo;
    private Supplier supplier;
    private Product app;
    private Product roster;
    private UUID person;
    private UUID unsentPerson;
    private Instant requested;
    private Instant confirmed;

    @BeforeAll
    void setUp() {
        dpo = "dpo-delui-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(dpo, "Dataskyddsombud", PASSWORD, EnumSet.of(AdminRight.DATA_PROTECTION_OFFICER), "test");
        supplier = CatalogFixtures.supplier("Gallring & Co " + CatalogFixtures.unique(), "SE");
        catalog.save(supplier);
        app = CatalogFixtures.digital(supplier, "Läslyftet", "", List.of("Svenska"), Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME);
        roster = CatalogFixtures.digital(supplier, "Klasskartan", "", List.of("Svenska"), Attribute.PSEUDONYMOUS_ID);
        catalog.save(app);
        catalog.save(roster);
        person = UUID.randomUUID();
        unsentPerson = UUID.randomUUID();
        append(List.of(disclosure(person, supplier.id(), app.id(), Channel.SCIM_PUSH, SMALL),
                disclosure(person, supplier.id(), roster.id(), Channel.ROSTER_PULL, EnumSet.of(Attribute.PSEUDONYMOUS_ID)),
                disclosure(unsentPerson, supplier.id(), roster.id(), Channel.ROSTER_PULL, EnumSet.of(Attribute.PSEUDONYMOUS_ID))));
        // long overdue, so that these are among the oldest the page lists whatever else the shared database holds
        retention.relationEnded(person, null, LocalDate.now().minusDays(5000));
        retention.relationEnded(unsentPerson, null, LocalDate.now().minusDays(5001));
        requested = Instant.now().minus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MICROS);
        confirmed = Instant.now().minus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MICROS);
        retention.deletionRequested(person, supplier.id(), app.id(), requested);
        retention.deletionAnswered(person, supplier.id(), app.id(), confirmed, 204, "No Content", true);
        retention.deletionRequested(person, supplier.id(), roster.id(), requested);
        retention.deletionAnswered(person, supplier.id(), roster.id(), requested.plusSeconds(1), 503, "Service Unavailable", false);
        browser = BrowserSupport.browser();
    }

    private static String day(Instant at) {
        return LocalDate.ofInstant(at, ZoneId.systemDefault()).toString();
    }

    @Test
    void theDataProtectionOfficerSeesReceiptsExportsThemAndReadsThemOnThePersonsReport() throws Exception {
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("en-GB").setAcceptDownloads(true))) {
            Page page = context.newPage();
            page.navigate("http://localhost:" + port + "/login");
            page.getByLabel("Username").fill(dpo);
            page.getByLabel("Password").fill(PASSWORD);
            page.getByLabel("Password").press("Enter");
            page.waitForURL(url -> !url.contains("/login"));

            page.navigate("http://localhost:" + port + "/ledger/deletions");
            assertThat(page.locator("h1").textContent()).isEqualTo("Overdue deletions");
            var requestedRow = page.locator("tr", new Page.LocatorOptions().setHas(page.locator("a[href='/ledger/persons/" + person + "']")));
            assertThat(requestedRow.count()).as("the confirmed deletion is no longer overdue").isEqualTo(1);
            assertThat(requestedRow.textContent()).contains(supplier.name() + " – Klasskartan").contains("Deletion requested").contains("via SCIM")
                    .contains("HTTP 503: Service Unavailable");
            var unsentRow = page.locator("tr", new Page.LocatorOptions().setHas(page.locator("a[href='/ledger/persons/" + unsentPerson + "']")));
            assertThat(unsentRow.textContent()).contains("Deletion due").contains("Not sent yet").contains("No answer yet");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "deletions-01-overdue-with-receipts");

            // keyboard: the export link is reachable and works with Enter
            Download download = page.waitForDownload(() -> {
                var link = page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(java.util.regex.Pattern.compile("^Download all \\d+ as CSV$")));
                link.focus();
                page.keyboard().press("Enter");
            });
            List<CSVRecord> rows;
            try (Reader in = Files.newBufferedReader(download.path(), StandardCharsets.UTF_8)) {
                rows = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(in).getRecords();
            }
            assertThat(rows).filteredOn(r -> r.get("person_id").equals(person.toString())).singleElement().satisfies(r -> {
                assertThat(r.get("supplier")).isEqualTo(supplier.name());
                assertThat(r.get("product")).isEqualTo("Klasskartan");
                assertThat(r.get("answer_status")).isEqualTo("503");
                assertThat(Instant.parse(r.get("sent_at"))).isEqualTo(requested);
            });
            assertThat(rows).filteredOn(r -> r.get("person_id").equals(unsentPerson.toString())).singleElement()
                    .satisfies(r -> assertThat(r.get("state")).isEqualTo("DUE"));

            requestedRow.locator("a").click();
            page.waitForURL(url -> url.contains("/ledger/persons/" + person));
            String recipients = page.locator("table.recipients").textContent();
            assertThat(recipients).contains("Deleted, confirmed on " + day(confirmed)).contains("Deletion requested on " + day(requested) + ", not confirmed")
                    .contains("via SCIM").contains("HTTP 503: Service Unavailable");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "deletions-02-person-report-receipts");

            // Danish
            page.navigate("http://localhost:" + port + "/ledger/deletions?lang=da");
            assertThat(page.locator("h1").textContent()).isEqualTo("Forsinkede sletninger");
            assertThat(unsentRow.textContent()).contains("Ikke sendt endnu").contains("Intet svar endnu");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "deletions-03-overdue-danish");
            page.navigate("http://localhost:" + port + "/ledger/persons/" + person + "?lang=da");
            assertThat(page.locator("table.recipients").textContent()).contains("Slettet, bekræftet " + day(confirmed))
                    .contains("Sletning anmodet " + day(requested) + ", ikke bekræftet");
            BrowserSupport.screenshot(page, "deletions-04-person-report-danish");
        }
    }
}
