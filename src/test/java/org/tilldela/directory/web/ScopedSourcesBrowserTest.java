package org.tilldela.directory.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.util.EnumSet;
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
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.GrantScope;

/**
 * In a real browser, in Swedish: an organiser's directory administrator (a grant over Provby kommun) opens Imports from the
 * menu and the import sources from there. The list holds the source that imports Provby and not the neighbouring Grannby's;
 * Grannby's source's page is not found; adding a source under Grannby's source's name is refused in Swedish. Every page passes
 * axe-core's WCAG 2.1 AA checks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScopedSourcesBrowserTest extends IntegrationTest {

    private static final String PASSWORD = "scoped-sources-browser-password";

    @LocalServerPort int port;
    @Autowired JdbcClient jdbc;
    @Autowired AdminAccounts accounts;
    @Autowired AdminGrants grants;

    String admin, sourceA, sourceB;
    UUID srcA, srcB;
    Browser browser;

    @BeforeAll
    void setUp() {
        String u = UUID.randomUUID().toString().substring(0, 8);
        sourceA = "provby-sis-" + u;
        sourceB = "grannby-sis-" + u;
        jdbc.sql("insert into directory_source (name, kind) values (:a, 'CSV'), (:b, 'CSV')").param("a", sourceA).param("b", sourceB).update();
        UUID provby = organisation(sourceA, "ORGANISER", "Provby kommun", null);
        organisation(sourceA, "SCHOOL_UNIT", "Ekskolan", provby);
        UUID grannby = organisation(sourceB, "ORGANISER", "Grannby kommun", null);
        organisation(sourceB, "SCHOOL_UNIT", "Björkskolan", grannby);
        srcA = importSource(sourceA, "SUCCEEDED");
        srcB = importSource(sourceB, "FAILED");
        String root = "sources-root-" + u;
        admin = "huvudman-" + u;
        accounts.create(root, "Root", PASSWORD, EnumSet.of(AdminRight.ACCOUNT_ADMIN, AdminRight.DIRECTORY_ADMIN), "test");
        accounts.create(admin, "Huvudmannens administratör", PASSWORD, Set.of(), "test");
        grants.grant(root, admin, AdminRight.DIRECTORY_ADMIN, GrantScope.units(Set.of(provby), Set.of()));
        browser = BrowserSupport.browser();
    }

    private UUID organisation(String source, String kind, String name, UUID parent) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        insert into organisation (id, source, source_id, kind, name, parent_id, school_forms, content_hash)
                        values (:id, :s, :sid, :k, :n, :p, cast(:f as text[]), :h)""")
                .param("id", id).param("s", source).param("sid", id.toString()).param("k", kind).param("n", name).param("p", parent)
                .param("f", kind.equals("SCHOOL_UNIT") ? new String[] {"GR"} : new String[0]).param("h", UUID.randomUUID()).update();
        return id;
    }

    /** A scheduled source whose next run is a day away, so no scheduler runs it during the walk. */
    private UUID importSource(String name, String outcome) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        insert into import_source (id, name, kind, url, full_at, enabled, next_full_at, last_started_at, last_finished_at, last_outcome,
                                                   last_failure, created_by)
                        values (:id, :name, 'SS12000', 'https://sis.example.se/ss12000/' || :name, '03:00', true, now() + interval '1 day',
                                now() - interval '21 hours', now() - interval '21 hours' + interval '40 seconds', :outcome,
                                case when :outcome = 'FAILED' then 'UNREACHABLE' end, 'test')""")
                .param("id", id).param("name", name).param("outcome", outcome).update();
        return id;
    }

    @Test
    void anOrganisersAdministratorWalksTheImportSourcesInSwedish() {
        String base = "http://localhost:" + port;
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("sv-SE"))) {
            Page page = context.newPage();
            BrowserSupport.signIn(page, port, "sv", admin, PASSWORD);
            page.navigate(base + "/directory");
            // the menu offers Imports to a grant covering a whole organiser; the overview warns of no other organiser's failing source
            assertThat(page.locator("main").textContent()).doesNotContain(sourceB);
            page.locator("header nav a[href='/imports']").click();
            page.waitForURL(url -> url.endsWith("/imports"));
            assertThat(page.locator("h1").textContent()).isEqualTo("Importer");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Importkällor enligt schema")).click();
            page.waitForURL(url -> url.endsWith("/imports/sources"));
            assertThat(page.locator("h1").textContent()).isEqualTo("Importkällor");
            String list = page.locator("main").textContent();
            assertThat(list).contains(sourceA).doesNotContain(sourceB).contains("huvudmän din behörighet täcker helt");
            assertThat(page.locator("a[href='/imports/sources/" + srcA + "']").count()).isEqualTo(1);
            assertThat(page.locator("a[href='/imports/sources/" + srcB + "']").count()).isZero();
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "sources-scoped-01-list-sv");

            // adding a source under the neighbour's source's name: refused, in Swedish, as for any name outside the grant
            page.locator("#name").fill(sourceB);
            page.locator("#url").fill("https://sis.example.se/ss12000/" + sourceB);
            page.locator("#fullAt").fill("04:00");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Spara").setExact(true)).click();
            page.waitForLoadState();
            assertThat(page.getByRole(AriaRole.ALERT).first().textContent()).contains("Bara en administratör över hela installationen");
            assertThat(jdbc.sql("select count(*) from import_source where name = :n").param("n", sourceB).query(Integer.class).single()).isEqualTo(1);
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "sources-scoped-02-other-organisers-name-refused-sv");

            // its own source's page opens; the neighbour's is not found
            page.navigate(base + "/imports/sources/" + srcA);
            assertThat(page.locator("h1").textContent()).contains(sourceA);
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            assertThat(page.navigate(base + "/imports/sources/" + srcB).status()).isEqualTo(404);
        }
    }
}
