package org.tilldela.licensing;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.tilldela.BrowserSupport;
import org.tilldela.catalog.Product;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;

/**
 * In a real browser: a licence administrator opens a pool whose seats ran out, sees who is left without
 * one, adds a rule with the keyboard-usable form, opens a person's licences and the profiles; every page
 * passes axe's WCAG 2.1 AA checks; Swedish too.
 */
class LicenceBrowserTest extends LicensingTestSupport {

    private static final String PASSWORD = "licence-browser-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AuditTrail audit;

    @Test
    void aLicenceAdministratorSeesAPoolItsShortfallAndAPersonsLicences() {
        String source = newSource("lic-web");
        importTown(source, Town.small());
        UUID product = product(Product.LicenceModel.PER_USER, null);
        UUID poolId = pool(product, source, "org-1", 3);
        pools.addRule(poolId, Selector.group(group(source, "c-7a"), "PUPIL"), "test");
        profiles.create("elev, år 7 " + source, List.of(product), "test");
        String admin = "licweb-" + source;
        accounts.create(admin, "Licence web", PASSWORD, EnumSet.of(AdminRight.LICENCE_ADMIN), "test");
        // a pool whose product has left the catalogue since (a supplier's feed dropped it)
        UUID goneProduct = UUID.randomUUID();
        jdbc.sql("""
                        insert into licence_pool (id, product_id, organiser_id, scope_id, seats, starts_on, ends_on, created_by)
                        values (:id, :product, :unit, :unit, 10, current_date, current_date + 365, 'test')""")
                .param("id", UUID.randomUUID()).param("product", goneProduct).param("unit", org(source, "org-1")).update();

        Browser browser = BrowserSupport.browser();
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("en-GB"))) {
            Page page = context.newPage();
            page.navigate("http://localhost:" + port + "/login");
            page.getByLabel("Username").fill(admin);
            page.getByLabel("Password").fill(PASSWORD);
            page.getByLabel("Password").press("Enter");
            page.waitForURL(url -> !url.contains("/login"));

            page.navigate("http://localhost:" + port + "/licences");
            assertThat(page.locator("h1").textContent()).isEqualTo("Licences");
            assertThat(page.content()).as("named, never by its id").contains("A product no longer in the catalogue")
                    .doesNotContain(goneProduct.toString());
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "licences-01-pools");

            page.locator("a[href='/licences/pools/" + poolId + "']").click();
            page.waitForURL(url -> url.endsWith("/licences/pools/" + poolId));
            assertThat(page.locator("h1").textContent()).contains("Matematik").contains("Ekbacka skola");
            assertThat(page.locator(".facts").textContent()).contains("3 / 3");
            assertThat(page.locator("#shortfall-heading").textContent()).isEqualTo("Left without a seat");
            assertThat(page.locator("table.shortfall tbody tr").count()).isEqualTo(1);
            assertThat(page.locator("table.rules").textContent()).contains("7A (Ekbacka skola)");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "licences-02-pool-with-shortfall");

            // add a rule with the form: the teachers at the school; the seats are gone, so they wait too
            page.getByLabel("Kind of rule").selectOption("ROLE_AT_UNIT");
            // picked by name as it is typed (htmx), not pasted as an id
            page.getByLabel("Find a school unit, group or person").fill("Ekbacka");
            page.locator("#target-choices label").filter(new Locator.FilterOptions().setHasText("Ekbacka skola")).first().click();
            assertThat(page.locator("#target-choices input[value='UNIT:" + org(source, "org-1") + "']").isChecked()).isTrue();
            page.getByLabel("Role").selectOption("TEACHER");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add rule")).click();
            page.waitForURL(url -> url.endsWith("/licences/pools/" + poolId));
            assertThat(page.locator("[role=status]").first().textContent()).contains("The rule is added");
            assertThat(page.locator("table.rules").textContent()).as("roles in words").contains("Teacher").contains("Pupil")
                    .doesNotContain("TEACHER").doesNotContain("PUPIL");
            assertThat(page.locator("table.shortfall tbody tr").count()).isEqualTo(2);
            assertThat(audit.about("licence_pool", poolId.toString())).anySatisfy(e -> {
                assertThat(e.actor()).isEqualTo(admin);
                assertThat(e.action()).isEqualTo("LICENCE_RULE_ADDED");
            });
            BrowserSupport.screenshot(page, "licences-03-rule-added");

            page.locator("table.assignments a").first().click();
            page.waitForURL(url -> url.contains("/licences/persons/"));
            assertThat(page.locator("h1").textContent()).startsWith("A person's licences").contains("Testsson");
            assertThat(page.locator("table.licences").textContent()).contains("Matematik").contains("Active");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "licences-04-person");

            page.navigate("http://localhost:" + port + "/licences/profiles?lang=sv");
            assertThat(page.locator("h1").textContent()).isEqualTo("Profiler");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "licences-05-profiles-swedish");

            page.navigate("http://localhost:" + port + "/licences/pools/" + poolId);
            assertThat(page.locator("#shortfall-heading").textContent()).isEqualTo("Utan plats");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "licences-06-pool-swedish");

            // the pickers of a new pool, in Danish, the product found as it is typed
            page.navigate("http://localhost:" + port + "/licences?lang=da");
            page.getByLabel("Find produktet (titel eller varenummer)").fill("Matematik");
            page.locator("#product-choices input[type=radio]").first().waitFor();
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "licences-07-new-pool-picker-danish");

            // ending the pool early asks first; nothing ends by asking
            page.navigate("http://localhost:" + port + "/licences/pools/" + poolId + "?lang=sv");
            page.getByText("Avsluta poolen i förtid…").click();
            page.waitForURL(url -> url.endsWith("/licences/pools/" + poolId + "/end"));
            assertThat(page.locator("h2#end-heading").textContent()).startsWith("Avsluta Matematik");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "licences-08-end-pool-confirm-swedish");

            // an address that leads nowhere is a page of the site, in its language, with the way back
            page.navigate("http://localhost:" + port + "/licences/pools/" + UUID.randomUUID());
            assertThat(page.locator("h1").textContent()).isEqualTo("Sidan hittades inte");
            assertThat(page.getByText("Tillbaka till Licenser").count()).isOne();
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "licences-09-not-found-swedish");
        }
    }

}
