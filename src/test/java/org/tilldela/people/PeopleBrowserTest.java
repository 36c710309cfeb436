package org.tilldela.people;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import java.time.LocalDate;
import java.util.List;
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
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogFixtures;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.GrantScope;
import org.tilldela.governance.ScopedMunicipality;
import org.tilldela.purchase.BuyerScopes;
import org.tilldela.purchase.Order;
import org.tilldela.purchase.OrderLineRequest;
import org.tilldela.purchase.Orders;
import org.tilldela.purchase.Recipient;

/**
 * In a real browser, in Swedish and Danish (issue 13): an administrator searches "Bergkvist, Östen" as the UI writes
 * names, opens the person's page from the result, and a buyer cancels one line of an order on its page, confirming
 * first — by keyboard, without typing or pasting an id. Every page visited passes axe's WCAG 2.1 AA checks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PeopleBrowserTest extends IntegrationTest {

    private static final String PASSWORD = "people-browser-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AdminGrants grants;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    Catalog catalog;
    @Autowired
    BuyerScopes buyerScopes;
    @Autowired
    Orders orders;

    private Browser browser;
    private ScopedMunicipality m;
    private String admin;
    private UUID osten;
    private Order order;

    @BeforeAll
    void setUp() {
        m = new ScopedMunicipality(jdbc);
        String root = "root-" + m.source;
        accounts.create(root, "Root", PASSWORD, java.util.EnumSet.allOf(AdminRight.class), "test");
        admin = "walk-" + m.source;
        accounts.create(root, admin, "Skoladministratör", PASSWORD);
        for (AdminRight right : List.of(AdminRight.DIRECTORY_ADMIN, AdminRight.LICENCE_ADMIN, AdminRight.DATA_PROTECTION_OFFICER, AdminRight.BUYER)) {
            grants.grant(root, admin, right, GrantScope.units(Set.of(m.organiser), Set.of()));
        }
        buyerScopes.set(admin, m.organiser, "test");
        osten = UUID.randomUUID();
        jdbc.sql("insert into person (id, source, source_id, given_name, family_name, protection, content_hash) values (:id, :s, :sid, 'Östen', 'Bergkvist', 'NONE', :h)")
                .param("id", osten).param("s", m.source).param("sid", osten.toString()).param("h", UUID.randomUUID()).update();
        jdbc.sql("""
                        insert into membership (id, source, source_id, group_id, person_id, role, content_hash)
                        values (:id, :s, :sid, :g, :p, 'PUPIL', :h)""")
                .param("id", UUID.randomUUID()).param("s", m.source).param("sid", UUID.randomUUID().toString()).param("g", m.gA).param("p", osten)
                .param("h", UUID.randomUUID()).update();
        jdbc.sql("""
                        insert into enrolment (id, source, source_id, person_id, school_unit_id, school_form, grade, content_hash)
                        values (:id, :s, :sid, :p, :u, 'GR', '4', :h)""")
                .param("id", UUID.randomUUID()).param("s", m.source).param("sid", UUID.randomUUID().toString()).param("p", osten).param("u", m.schoolA)
                .param("h", UUID.randomUUID()).update();
        jdbc.sql("insert into organiser_data_policy (organiser_id, attributes, updated_by) values (:o, :a, 'test')").param("o", m.organiser)
                .param("a", java.util.Arrays.stream(Attribute.values()).map(Enum::name).sorted().toArray(String[]::new)).update();
        Supplier supplier = CatalogFixtures.withAgreement(CatalogFixtures.supplier("Nordiska Läromedel " + CatalogFixtures.unique(), "SE"),
                Set.of(m.organiser), LocalDate.now().minusYears(1), LocalDate.now().plusYears(1));
        catalog.save(supplier);
        Product maths = CatalogFixtures.digital(supplier, "Matematikverkstaden", "", List.of("Matematik"), Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME);
        Product language = CatalogFixtures.digital(supplier, "Språkverkstaden", "", List.of("Svenska"), Attribute.PSEUDONYMOUS_ID);
        catalog.save(maths);
        catalog.save(language);
        order = orders.place(admin, List.of(new OrderLineRequest(maths.id(), List.of(Recipient.group(m.gA)), null, false),
                new OrderLineRequest(language.id(), List.of(Recipient.group(m.gA)), null, false))).order();
        browser = BrowserSupport.browser();
    }

    @Test
    void findAPersonAsTheUiWritesThemOpenTheirPageAndCancelAnOrderLine() {
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("sv-SE"))) {
            Page page = context.newPage();
            String base = "http://localhost:" + port;
            BrowserSupport.signIn(page, port, "sv", admin, PASSWORD);

            // search as the UI writes names, and open the person's page from the results by keyboard
            page.navigate(base + "/directory?lang=sv");
            page.locator("#q").fill("Bergkvist, Östen");
            page.locator("#q").press("Enter");
            page.waitForURL(url -> url.contains("/directory/search"));
            var hit = page.locator("a[href='/directory/persons/" + osten + "']");
            assertThat(hit.textContent()).isEqualTo("Bergkvist, Östen");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            hit.focus();
            hit.press("Enter");
            page.waitForURL(url -> url.contains("/directory/persons/" + osten));
            assertThat(page.locator("h1").textContent()).contains("Östen Bergkvist");
            String main = page.locator("main").textContent();
            assertThat(main).contains("Roller och skolenheter").contains("A-skolan").contains("4A ").contains("Matematikverkstaden").contains("Mottagare i en beställning")
                    .contains("Dataåtkomst per leverantör").contains("Nordiska Läromedel").contains("Utlämnanden");
            assertThat(page.locator("html").getAttribute("lang")).isEqualTo("sv");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "people-01-person-swedish");

            page.navigate(base + "/directory/persons/" + osten + "?lang=da");
            assertThat(page.locator("main").textContent()).contains("Roller og skoler").contains("Dataadgang pr. leverandør");
            assertThat(page.locator("html").getAttribute("lang")).isEqualTo("da");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "people-02-person-danish");

            // the order's page: cancel its second line, asked first, by keyboard
            page.navigate(base + "/purchase/orders/" + order.id() + "?lang=sv");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "people-03-order-swedish");
            var cancelLine = page.locator("a[href='/purchase/orders/" + order.id() + "/cancel?line=" + order.lines().get(1).id() + "']");
            assertThat(cancelLine.textContent()).isEqualTo("Avbeställ den här raden");
            cancelLine.focus();
            cancelLine.press("Enter");
            page.waitForURL(url -> url.contains("/cancel"));
            assertThat(page.locator("main").textContent()).contains("Språkverkstaden").contains("Avbeställa de här licenserna?");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "people-04-cancel-line-swedish");
            var confirm = page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                    new Page.GetByRoleOptions().setName("Ja, avbeställ raden"));
            confirm.focus();
            confirm.press("Enter");
            page.waitForURL(url -> url.contains("cancelled=line"));
            assertThat(page.locator("main").textContent()).contains("Raden är avbeställd").contains("Avbeställd " + LocalDate.now());
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "people-05-line-cancelled-swedish");

            page.navigate(base + "/purchase/orders/" + order.id() + "?lang=da");
            assertThat(page.locator("main").textContent()).contains("Annulleret " + LocalDate.now());
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "people-06-order-danish");
        }
    }
}
