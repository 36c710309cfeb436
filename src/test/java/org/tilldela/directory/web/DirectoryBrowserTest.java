package org.tilldela.directory.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.BrowserSupport;
import org.tilldela.IntegrationTest;
import org.tilldela.directory.generator.MunicipalityGenerator;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.oneroster.OneRosterReader;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;

/**
 * In a real browser: an administrator signs in, browses organiser → school unit → class, and finds a
 * protected pupil shown as "Protected person" without a name; the view is audited; every page passes
 * the WCAG 2.1 AA checks of axe-core; the UI switches to Swedish.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DirectoryBrowserTest extends IntegrationTest {

    private static final String PASSWORD = "browser-test-password";

    @LocalServerPort
    int port;
    @Autowired
    ImportRuns imports;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AuditTrail audit;
    @Autowired
    JdbcClient jdbc;

    private Browser browser;
    private String admin;
    private Protected target;

    record Protected(UUID personId, String givenName, String familyName, UUID groupId, String groupName, String schoolName, String organiserName) {
    }

    @BeforeAll
    void setUp(@TempDir Path dir) {
        String source = "browser-" + UUID.randomUUID().toString().substring(0, 8);
        Path zip = dir.resolve("municipality.zip");
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(1500, 77, "sv", 0, 0)).writeTo(zip);
        imports.runNow("ONEROSTER", new ImportOptions(source, false, "test"), new OneRosterReader(zip, "municipality.zip"), ImportProgress.NONE, "municipality.zip");
        admin = "admin-" + source;
        accounts.create(admin, "Browser Test", PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN), "test");
        target = jdbc.sql("""
                        select p.id, p.given_name, p.family_name, g.id group_id, g.name group_name, s.name school, o.name organiser
                        from person p join membership m on m.person_id = p.id join student_group g on g.id = m.group_id
                        join organisation s on s.id = g.organisation_id join organisation o on o.id = s.parent_id
                        where p.source = :source and p.protection <> 'NONE' and g.kind = 'CLASS' order by p.id limit 1
                        """).param("source", source)
                .query((rs, n) -> new Protected(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getObject(4, UUID.class),
                        rs.getString(5), rs.getString(6), rs.getString(7))).single();
        browser = BrowserSupport.browser();
    }

    @Test
    void adminBrowsesToAClassAndSeesTheProtectedPupilMasked() {
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("en-GB"))) {
            Page page = context.newPage();
            page.navigate("http://localhost:" + port + "/directory");
            assertThat(page.url()).endsWith("/login");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "01-login");

            // Keyboard only: type and submit with Enter.
            page.getByLabel("Username").fill(admin);
            page.getByLabel("Password").fill(PASSWORD);
            page.getByLabel("Password").press("Enter");
            page.waitForURL(url -> url.contains("/directory"));
            assertThat(page.locator("h1").textContent()).isEqualTo("Organisation");
            assertThat(jdbc.sql("select count(*) from spring_session where principal_name = :u").param("u", admin).query(Long.class).single())
                    .as("the signed-in session lives in the database, not in this node").isPositive();
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "02-directory");

            page.getByRole(com.microsoft.playwright.options.AriaRole.LINK, new Page.GetByRoleOptions().setName(target.organiserName()).setExact(true)).first().click();
            assertThat(page.locator("h1").textContent()).isEqualTo(target.organiserName());
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "03-organiser");

            page.getByRole(com.microsoft.playwright.options.AriaRole.LINK, new Page.GetByRoleOptions().setName(target.schoolName()).setExact(true)).first().click();
            assertThat(page.locator("h1").textContent()).isEqualTo(target.schoolName());
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "04-school");

            page.locator("a[href='/directory/groups/" + target.groupId() + "']").click();
            assertThat(page.locator("h1").textContent()).contains(target.groupName());
            Locator masked = page.locator("tr.masked");
            assertThat(masked.count()).isGreaterThanOrEqualTo(1);
            assertThat(masked.first().textContent()).contains("Protected person");
            String body = page.locator("main").textContent();
            assertThat(body).doesNotContain(target.familyName() + ", " + target.givenName());
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "05-class-with-protected-pupil");

            assertThat(audit.about("person", target.personId().toString()))
                    .anySatisfy(e -> {
                        assertThat(e.actor()).isEqualTo(admin);
                        assertThat(e.action()).isEqualTo("VIEW_PROTECTED_PERSON");
                        assertThat(e.detail()).contains("\"masked\": true");
                    });

            // The same page in Swedish.
            page.getByRole(com.microsoft.playwright.options.AriaRole.LINK, new Page.GetByRoleOptions().setName("Svenska")).click();
            assertThat(page.locator("tr.masked").first().textContent()).contains("Skyddad person");
            assertThat(page.locator("html").getAttribute("lang")).isEqualTo("sv");
            BrowserSupport.screenshot(page, "06-class-in-swedish");
        }
    }

    @Test
    void adminUploadsAOneRosterPackageAndWatchesItToTheSummary(@TempDir Path dir) {
        Path zip = dir.resolve("upload.zip");
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(300, 31, "da", 0, 0)).writeTo(zip);
        String source = "upload-" + UUID.randomUUID().toString().substring(0, 8);
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("da-DK"))) {
            Page page = context.newPage();
            page.navigate("http://localhost:" + port + "/login");
            page.getByLabel("Brugernavn").fill(admin);
            page.getByLabel("Adgangskode").fill(PASSWORD);
            page.getByLabel("Adgangskode").press("Enter");
            page.waitForURL(url -> url.contains("/directory"));

            page.getByRole(com.microsoft.playwright.options.AriaRole.LINK, new Page.GetByRoleOptions().setName("Import").setExact(true)).click();
            assertThat(page.locator("h1").textContent()).isEqualTo("Import");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "07-imports-danish");

            uploadAndWaitForTheSummary(page, zip, source);
            assertThat(page.locator("#run-status [role=status]").textContent()).isEqualTo("Gennemført");
            assertThat(page.locator("table.summary").textContent()).contains("Personer").contains("300");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "08-import-summary-danish");

            // the same package again: recognised, not read, and the summary says so
            page.navigate("http://localhost:" + port + "/imports");
            uploadAndWaitForTheSummary(page, zip, source);
            assertThat(page.locator("#summary-heading + table + p").textContent()).startsWith("Pakken er den samme som kildens import")
                    .endsWith("importér den igen med “Læs igen” markeret.");
            assertThat(page.locator("table.summary").textContent()).contains("300");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "08b-import-same-package-danish");

            // and again with "read again" ticked: read and compared, every row unchanged
            page.navigate("http://localhost:" + port + "/imports");
            page.getByLabel("Læs igen, også selvom pakken er den, kildens seneste import læste").check();
            uploadAndWaitForTheSummary(page, zip, source);
            assertThat(page.getByText("Pakken er den samme").count()).isZero();
            assertThat(page.locator("table.summary tr", new Page.LocatorOptions().setHasText("Personer")).textContent()).contains("300");
        }
        assertThat(jdbc.sql("select count(*) from person where source = :s").param("s", source).query(Long.class).single()).isEqualTo(300);
    }

    /** Uploads a package on the Import page (Danish) and waits until htmx, polling the run's status, shows its summary. */
    private static void uploadAndWaitForTheSummary(Page page, Path zip, String source) {
        page.getByLabel("Zip-fil med OneRoster 1.1 eller 1.2").setInputFiles(zip);
        page.locator("#source").fill(source);
        page.locator("form[action='/imports/oneroster'] button[type=submit]").click();
        page.waitForURL(url -> url.matches(".*/imports/[0-9a-f-]{36}$"));
        page.locator("#summary-heading").waitFor();
    }
}
