package org.tilldela.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.tilldela.BrowserSupport;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogFixtures;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.directory.generator.MunicipalityGenerator;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.oneroster.OneRosterReader;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/**
 * In a real browser: the data protection officer finds a pupil by name, opens "who has data about me",
 * sees each recipient with its data, since when, why and until when, downloads the PDF; looks at the
 * supplier's inventory and the live feed; verifies the chain. Every page passes axe's WCAG 2.1 AA checks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LedgerBrowserTest extends LedgerTestSupport {

    private static final String PASSWORD = "ledger-browser-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    Catalog catalog;
    @Autowired
    ImportRuns imports;

    private Browser browser;
    private String dpo;
    private UUID pupil;
    private String givenName;
    private String familyName;
    private Supplier supplier;

    @BeforeAll
    void setUp(@TempDir Path dir) {
        String source = "ledger-ui-" + UUID.randomUUID().toString().substring(0, 8);
        dpo = "dpo-" + source;
        accounts.create(dpo, "Dataskyddsombud", PASSWORD, EnumSet.of(AdminRight.DATA_PROTECTION_OFFICER), "test");
        Path zip = dir.resolve("m.zip");
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(200, 91, "sv", 0, 0)).writeTo(zip);
        imports.runNow("ONEROSTER", new ImportOptions(source, false, "test"), new OneRosterReader(zip, "m.zip"), ImportProgress.NONE, "m.zip");
        var row = jdbc.sql("select id, given_name, family_name from person where source = :s and protection = 'NONE' order by id limit 1")
                .param("s", source).query((rs, n) -> new Object[] {rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3)}).single();
        pupil = (UUID) row[0];
        givenName = (String) row[1];
        familyName = (String) row[2];
        supplier = CatalogFixtures.supplier("Nordiska Läromedel " + CatalogFixtures.unique(), "SE");
        catalog.save(supplier);
        Product app = CatalogFixtures.digital(supplier, "Språkverkstaden", "", List.of("Svenska"), Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME);
        catalog.save(app);
        append(List.of(disclosure(pupil, supplier.id(), app.id(), Channel.SCIM_PUSH, SMALL),
                disclosure(pupil, supplier.id(), app.id(), Channel.SSO_ID_TOKEN, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME))));
        browser = BrowserSupport.browser();
    }

    @Test
    void theDataProtectionOfficerOpensAPersonsReportAndVerifiesTheChain() throws Exception {
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("en-GB").setAcceptDownloads(true))) {
            Page page = context.newPage();
            page.navigate("http://localhost:" + port + "/login");
            page.getByLabel("Username").fill(dpo);
            page.getByLabel("Password").fill(PASSWORD);
            page.getByLabel("Password").press("Enter");
            page.waitForURL(url -> !url.contains("/login"));

            page.navigate("http://localhost:" + port + "/ledger");
            assertThat(page.locator("h1").textContent()).isEqualTo("Disclosures");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "ledger-01-overview");

            // as the UI writes names: many persons share a family name among the suite's municipalities, and the search shows 25
            page.getByLabel("Name or person id").fill(familyName + ", " + givenName);
            page.getByLabel("Name or person id").press("Enter");
            page.locator("a[href='/ledger/persons/" + pupil + "']").click();
            page.waitForURL(url -> url.contains("/ledger/persons/" + pupil));
            assertThat(page.locator("h1").textContent()).contains(givenName).contains(familyName);
            String recipients = page.locator("table.recipients").textContent();
            assertThat(recipients).contains(supplier.name()).contains("Språkverkstaden").contains("Given name").contains("Family name")
                    .contains("Sign-in to the learning platform").contains("While the relation lasts, then 90 days");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "ledger-02-person-report");

            Download download = page.waitForDownload(() -> page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Download as PDF")).click());
            assertThat(new String(Files.readAllBytes(download.path()), 0, 5, java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("%PDF-");

            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(supplier.name())).first().click();
            assertThat(page.locator("h1").textContent()).contains(supplier.name());
            assertThat(page.locator("main").textContent()).contains("Språkverkstaden");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "ledger-03-supplier-inventory");

            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Live feed")).click();
            // the feed replaces itself every few seconds (htmx): an assertion that waits, not one read of the DOM mid-swap
            com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat(page.locator("table.feed")).containsText("SCIM push");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "ledger-04-feed");

            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Verify the chain")).click();
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Verify now")).click();
            page.locator("#verify-result").waitFor();
            assertThat(page.locator("#verify-result [role=status]").textContent()).isEqualTo("The chain is intact.");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign a checkpoint now")).click();
            assertThat(page.locator("main").textContent()).contains("Latest checkpoint");
            com.microsoft.playwright.Download checkpoint = page.waitForDownload(() ->
                    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Download the latest checkpoint")).click());
            assertThat(Files.readString(checkpoint.path()).strip()).as("a compact JWS").matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "ledger-05-verify");

            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Overdue deletions")).first().click();
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "ledger-06-deletions");

            // Swedish
            page.navigate("http://localhost:" + port + "/ledger/persons/" + pupil + "?lang=sv");
            assertThat(page.locator("h1").textContent()).contains("Vem har uppgifter om");
            assertThat(page.locator("html").getAttribute("lang")).isEqualTo("sv");
            BrowserSupport.screenshot(page, "ledger-07-person-report-swedish");
        }
    }
}
