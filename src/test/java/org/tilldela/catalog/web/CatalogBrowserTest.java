package org.tilldela.catalog.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.tilldela.BrowserSupport;
import org.tilldela.IntegrationTest;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogFixtures;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;

/**
 * In a real browser: a catalogue keeper signs in, searches (live, in an inflected form), narrows by a
 * facet, opens a product, edits it — first wrongly, sees the errors by field and that nothing was saved,
 * then rightly — and uploads a bad feed; every page passes axe-core's WCAG 2.1 AA checks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogBrowserTest extends IntegrationTest {

    private static final String PASSWORD = "catalog-browser-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    Catalog catalog;
    @Autowired
    AuditTrail audit;

    private Browser browser;
    private String keeper;
    private String marker;
    private Supplier supplier;
    private Product product;

    @BeforeAll
    void setUp() {
        marker = "zebra" + CatalogFixtures.unique().replaceAll("[0-9]", "");
        keeper = "catalog-" + CatalogFixtures.unique();
        accounts.create(keeper, "Catalogue Keeper", PASSWORD, EnumSet.of(AdminRight.CATALOG_ADMIN), "test");
        supplier = CatalogFixtures.supplier("Webbförlaget " + CatalogFixtures.unique() + " AB", "SE");
        catalog.save(supplier);
        product = CatalogFixtures.digital(supplier, "Matematik " + marker, "Geometri och ekvationer.", List.of("Matematik"),
                Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME, Attribute.GROUPS);
        catalog.save(product);
        catalog.save(CatalogFixtures.printed(supplier, "Läsebok " + marker, "GR"));
        browser = BrowserSupport.browser();
    }

    private void signIn(Page page) {
        page.navigate("http://localhost:" + port + "/login");
        page.getByLabel("Username").fill(keeper);
        page.getByLabel("Password").fill(PASSWORD);
        page.getByLabel("Password").press("Enter");
        page.waitForURL(url -> !url.contains("/login"));
    }

    @Test
    void keeperSearchesNarrowsOpensAndEditsAProduct(@TempDir Path dir) throws Exception {
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("en-GB"))) {
            Page page = context.newPage();
            signIn(page);
            page.navigate("http://localhost:" + port + "/catalog");
            assertThat(page.locator("h1").textContent()).isEqualTo("Catalogue");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();

            // live search: typing replaces the results in place (htmx), an inflected Swedish form included
            page.getByLabel("Search products").pressSequentially(marker + " matematiken", new com.microsoft.playwright.Locator.PressSequentiallyOptions().setDelay(10));
            page.waitForCondition(() -> page.locator("#results [role=status]").textContent().contains("1 product found"));
            assertThat(page.url()).contains("q=");
            assertThat(page.locator("#results tbody tr")).isNotNull();
            assertThat(page.locator("#results tbody th").first().textContent()).contains(marker);
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "catalog-01-search");

            // facets: both of the marker's products, then only the printed one
            page.getByLabel("Search products").fill(marker);
            page.waitForCondition(() -> page.locator("#results [role=status]").textContent().contains("2 products found"));
            page.locator("#results .facets a", new Page.LocatorOptions().setHasText("Printed, paperback")).click();
            page.waitForURL(url -> url.contains("kind=PRINTED_PAPERBACK"));
            assertThat(page.locator("#results [role=status]").textContent()).contains("1 product found");
            assertThat(page.locator(".facets a.selected").textContent()).contains("Printed, paperback");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "catalog-02-facet");

            page.navigate("http://localhost:" + port + "/catalog?q=" + marker + "&kind=DIGITAL");
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(product.title())).click();
            assertThat(page.locator("h1").textContent()).isEqualTo(product.title());
            assertThat(page.locator("main").textContent()).contains("Given name").contains("Pseudonymous id");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "catalog-03-product");

            // edit: a wrong form shows every problem by its field and saves nothing
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Edit product")).click();
            page.getByLabel("Title", new Page.GetByLabelOptions().setExact(true)).fill("");
            page.getByLabel("Price").fill("gratis");
            page.getByLabel("Purpose: Given name").fill("");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save")).click();
            assertThat(page.locator("#error-summary").textContent()).contains("3 problems: nothing was saved");
            assertThat(page.locator("#title-error").textContent()).isEqualTo("Required.");
            assertThat(page.locator("#price").getAttribute("aria-invalid")).isEqualTo("true");
            assertThat(page.locator("#dataNeeds-GIVEN_NAME-purpose-error").textContent()).isEqualTo("Required.");
            assertThat(catalog.product(product.id()).orElseThrow().title()).isEqualTo(product.title());
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "catalog-04-form-errors");

            // then right: a new title, e-mail added to the declaration, family name dropped
            page.getByLabel("Title", new Page.GetByLabelOptions().setExact(true)).fill("Matematik " + marker + " andra upplagan");
            page.getByLabel("Price").fill("219");
            page.getByLabel("Purpose: Given name").fill("Visa namnet för läraren");
            page.getByRole(AriaRole.CHECKBOX, new Page.GetByRoleOptions().setName("Family name")).uncheck();
            page.getByRole(AriaRole.CHECKBOX, new Page.GetByRoleOptions().setName("E-mail")).check();
            page.getByLabel("Purpose: E-mail").fill("Skicka inloggning");
            page.getByLabel("Days kept: E-mail").fill("0");
            page.getByLabel("Processed in: E-mail").fill("SE");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save")).click();
            page.waitForURL(url -> url.endsWith("/catalog/products/" + product.id() + "?saved"));
            assertThat(page.locator("h1").textContent()).isEqualTo("Matematik " + marker + " andra upplagan");
            Product saved = catalog.product(product.id()).orElseThrow();
            assertThat(saved.declaredAttributes()).containsExactlyInAnyOrder(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.GROUPS, Attribute.EMAIL);
            assertThat(saved.price()).isEqualByComparingTo("219");
            assertThat(audit.about("product", product.id().toString())).anySatisfy(e -> {
                assertThat(e.actor()).isEqualTo(keeper);
                assertThat(e.action()).isEqualTo("CATALOG_PRODUCT_UPDATED");
            });
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "catalog-05-product-saved");
        }
    }

    @Test
    void suppliersAgreementsAndFeedPagesAreAccessibleAndAFeedsProblemsAreListed(@TempDir Path dir) throws Exception {
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("sv-SE"))) {
            Page page = context.newPage();
            page.navigate("http://localhost:" + port + "/login");
            page.getByLabel("Användarnamn").fill(keeper);
            page.getByLabel("Lösenord").fill(PASSWORD);
            page.getByLabel("Lösenord").press("Enter");
            page.waitForURL(url -> !url.contains("/login"));

            page.navigate("http://localhost:" + port + "/catalog/suppliers");
            assertThat(page.locator("h1").textContent()).isEqualTo("Leverantörer");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "catalog-06-suppliers-sv");

            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(supplier.name())).click();
            assertThat(page.locator("main").textContent()).contains("Inget personuppgiftsbiträdesavtal finns");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "catalog-07-supplier-sv");

            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Redigera leverantören")).click();
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            page.getByLabel("Underbiträde 1: namn").fill("Cloudhost Inc.");
            page.getByLabel("Underbiträde 1: land").fill("US");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Spara")).click();
            page.waitForURL(url -> url.endsWith("?saved"));
            assertThat(catalog.supplier(supplier.id()).orElseThrow().allProcessingCountries()).containsExactly("SE", "US");

            Path feed = dir.resolve("flöde.csv");
            java.nio.file.Files.writeString(feed, "supplier_organisation_number,article_number,title,kind,licence_model,price,access_method\n"
                    + supplier.organisationNumber() + ",W-" + CatalogFixtures.unique() + ",Bok,EBOOK,PER_USER,10,NONE\n");
            page.navigate("http://localhost:" + port + "/catalog/feeds");
            page.getByLabel("CSV- eller JSON-fil").setInputFiles(feed);
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Tillämpa flödet")).click();
            assertThat(page.locator("#problems-heading").textContent()).contains("1 fel");
            assertThat(page.locator("table").textContent()).contains("Okänt värde ”EBOOK”");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "catalog-08-feed-refused-sv");
        }
    }
}
