package org.tilldela.purchase;

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
import org.tilldela.governance.ScopedMunicipality;

/**
 * In a real browser, in Swedish: a school unit's data protection officer (a grant over one school) walks the order
 * approvals. The menu offers them; the list holds their school's held order and not the neighbouring school's; they open
 * it and decline it saying why; the neighbour's order is not there (404). Every page passes axe-core's WCAG 2.1 AA checks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScopedApprovalsBrowserTest extends IntegrationTest {

    private static final String PASSWORD = "scoped-approvals-browser-password";

    @LocalServerPort int port;
    @Autowired JdbcClient jdbc;
    @Autowired AdminAccounts accounts;
    @Autowired AdminGrants grants;

    ScopedMunicipality m;
    String officer;
    UUID own, neighbours;
    long ownNumber, neighboursNumber;
    Browser browser;

    @BeforeAll
    void setUp() {
        m = new ScopedMunicipality(jdbc);
        String root = "scoped-approvals-root-" + m.source;
        officer = "dso-" + m.source;
        accounts.create(root, "Root", PASSWORD, EnumSet.of(AdminRight.ACCOUNT_ADMIN, AdminRight.DATA_PROTECTION_OFFICER), "test");
        accounts.create(root, officer, "Dataskyddsombud A-skolan", PASSWORD);
        grants.grant(root, officer, AdminRight.DATA_PROTECTION_OFFICER, GrantScope.units(Set.of(m.schoolA), Set.of()));
        own = held(m.schoolA, m.gA, "Matteboken digital");
        neighbours = held(m.schoolB, m.gB, "Läslust online");
        ownNumber = number(own);
        neighboursNumber = number(neighbours);
        browser = BrowserSupport.browser();
    }

    /** An order held for the officer as Orders.place leaves it (PurchaseTest walks placing one): one line, civic number beyond the policy. */
    private UUID held(UUID unit, UUID group, String title) {
        UUID id = UUID.randomUUID();
        UUID line = UUID.randomUUID();
        jdbc.sql("insert into purchase_order (id, buyer, organiser_id, scope_id, status) values (:id, :b, :o, :s, 'AWAITING_APPROVAL')")
                .param("id", id).param("b", "inkopare-" + m.source).param("o", m.organiser).param("s", unit).update();
        jdbc.sql("""
                        insert into order_line (id, order_id, position, product_id, article_number, title, unit_price, currency, seats, starts_on,
                                                ends_on, verdict, reasons)
                        values (:l, :id, 1, :p, 'ART-1', :t, 99.00, 'SEK', 25, current_date, current_date + 365, 'NEEDS_DPO_APPROVAL', '{}')""")
                .param("l", line).param("id", id).param("p", UUID.randomUUID()).param("t", title).update();
        // for the school's class: the page names it
        jdbc.sql("insert into order_recipient (line_id, position, kind, group_id) values (:l, 1, 'GROUP', :g)").param("l", line).param("g", group).update();
        jdbc.sql("insert into dpo_approval (order_id, organiser_id, attributes, state) values (:id, :o, '{CIVIC_NUMBER}', 'PENDING')")
                .param("id", id).param("o", m.organiser).update();
        return id;
    }

    private long number(UUID order) {
        return jdbc.sql("select number from purchase_order where id = :id").param("id", order).query(Long.class).single();
    }

    @Test
    void aSchoolsDataProtectionOfficerDeclinesItsSchoolsHeldOrderInSwedish() {
        String base = "http://localhost:" + port;
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("sv-SE"))) {
            Page page = context.newPage();
            BrowserSupport.signIn(page, port, "sv", officer, PASSWORD);
            // the menu offers the approvals to an officer scoped to one school
            page.locator("header nav a[href='/purchase/approvals']").click();
            page.waitForURL(url -> url.endsWith("/purchase/approvals"));
            assertThat(page.locator("h1").textContent()).isEqualTo("Beställningar som väntar på godkännande");
            assertThat(page.locator("a[href='/purchase/approvals/" + own + "']").count()).isEqualTo(1);
            assertThat(page.locator("a[href='/purchase/approvals/" + neighbours + "']").count()).isZero();
            assertThat(page.locator("main").textContent()).contains("Matteboken digital").doesNotContain("Läslust online");
            // the installation-wide adequacy list and data policies are not offered to a school's officer
            assertThat(page.locator("a[href='/purchase/adequacy']").count()).isZero();
            assertThat(page.locator("a[href='/purchase/policy']").count()).isZero();
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "approvals-scoped-01-list-sv");

            page.locator("a[href='/purchase/approvals/" + own + "']").click();
            page.waitForURL(url -> url.endsWith("/purchase/approvals/" + own));
            assertThat(page.locator("h1").textContent()).contains(Long.toString(ownNumber));
            assertThat(page.locator("main").textContent()).contains("Provby kommun").contains("Matteboken digital").contains("4A ");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "approvals-scoped-02-order-sv");
            page.locator("#reason").fill("Personnummer behövs inte för en digital mattebok.");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Avslå").setExact(true)).click();
            page.waitForURL(url -> url.endsWith("/purchase/approvals/" + own));
            assertThat(page.getByRole(AriaRole.STATUS).textContent()).contains("Avslagen.");
            assertThat(jdbc.sql("select state from dpo_approval where order_id = :id").param("id", own).query(String.class).single()).isEqualTo("DECLINED");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "approvals-scoped-03-declined-sv");

            // the neighbouring school's order is not there, not forbidden
            assertThat(page.navigate(base + "/purchase/approvals/" + neighbours).status()).isEqualTo(404);
            assertThat(page.locator("main").textContent()).doesNotContain("Läslust online").doesNotContain(Long.toString(neighboursNumber) + " ");
            assertThat(jdbc.sql("select state from dpo_approval where order_id = :id").param("id", neighbours).query(String.class).single()).isEqualTo("PENDING");
        }
    }
}
