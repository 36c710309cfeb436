package org.tilldela.access;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.util.EnumSet;
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
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.GrantScope;
import org.tilldela.ledger.Channel;
import org.tilldela.licensing.LicencePools;

/**
 * In a real browser, in Swedish: a school unit's access administrator (a grant over one school) walks the data-access
 * pages. The list holds their school's request and not the neighbouring school's; they approve it; the scope picker offers
 * their school only; and they open the re-approval page of an agreement of theirs that comes up for re-approval. Every
 * page passes axe-core's WCAG 2.1 AA checks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScopedAccessBrowserTest extends IntegrationTest {

    private static final String PASSWORD = "scoped-access-browser-password";

    @LocalServerPort int port;
    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired AdminAccounts accounts;
    @Autowired AdminGrants grants;
    @Autowired ReleasePolicy policy;
    @Autowired DataAccessAgreements agreements;

    AccessFixture fx;
    String admin;
    UUID school, neighbour, ownRequest, neighboursRequest, dueAgreement, laterProduct;
    Browser browser;

    @BeforeAll
    void setUp() throws Exception {
        fx = new AccessFixture(imports, jdbc, catalog, pools);
        List<UUID> schools = jdbc.sql("""
                        select o.id from organisation o where o.parent_id = :o and o.kind = 'SCHOOL_UNIT'
                          and exists (select 1 from enrolment e join person p on p.id = e.person_id where e.school_unit_id = o.id and p.protection = 'NONE')
                        order by o.name, o.id limit 2""")
                .param("o", fx.organiserId).query(UUID.class).list();
        school = schools.get(0);
        neighbour = schools.get(1);
        String root = "scoped-access-root-" + fx.source;
        admin = "rektor-" + fx.source;
        accounts.create(root, "Root", PASSWORD, EnumSet.of(AdminRight.ACCOUNT_ADMIN, AdminRight.ACCESS_ADMIN), "test");
        accounts.create(admin, "Rektor", PASSWORD, Set.of(), "test");
        grants.grant(root, admin, AdminRight.ACCESS_ADMIN, GrantScope.units(Set.of(school), Set.of()));

        ownRequest = agreements.file(fx.supplierId, request(fx.productId, school), "supplier").id();
        neighboursRequest = agreements.file(fx.supplierId, request(fx.productId, neighbour), "supplier").id();

        // an agreement of the school's, for another product, that has been used and comes up for re-approval in twelve days
        laterProduct = fx.product(fx.supplierId, Set.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME, Attribute.GROUPS));
        UUID pupil = jdbc.sql("""
                        select p.id from person p join enrolment e on e.person_id = p.id
                        where e.school_unit_id = :s and p.protection = 'NONE' order by p.id limit 1""")
                .param("s", school).query(UUID.class).single();
        fx.license(laterProduct, List.of(pupil));
        dueAgreement = agreements.approve(agreements.file(fx.supplierId, request(laterProduct, school), "supplier").id(), null, null, "test").id();
        policy.release(pupil, laterProduct, Channel.SSO_ID_TOKEN);
        jdbc.sql("update data_access_agreement set reapproval_due = current_date + 12 where id = :id").param("id", dueAgreement).update();
        browser = BrowserSupport.browser();
    }

    private static NewDataAccessRequest request(UUID product, UUID unit) {
        return new NewDataAccessRequest(product, unit, AttributePackage.SMALL, Set.of(), "Inloggning och klasslistor",
                "Uppgift av allmänt intresse (GDPR art. 6.1 e)", 30);
    }

    private String name(UUID unit) {
        return jdbc.sql("select name from organisation where id = :id").param("id", unit).query(String.class).single();
    }

    @Test
    void aSchoolsAccessAdministratorWalksTheDataAccessPagesInSwedish() {
        String base = "http://localhost:" + port;
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("sv-SE"))) {
            Page page = context.newPage();
            BrowserSupport.signIn(page, port, "sv", admin, PASSWORD);
            // the start page of an account with ACCESS_ADMIN over one school is the data-access list, and the menu offers it
            page.waitForURL(url -> url.endsWith("/access"));
            assertThat(page.locator("h1").textContent()).isEqualTo("Dataåtkomst");
            assertThat(page.locator("header nav a[href='/access']").count()).isEqualTo(1);
            String list = page.locator("main").textContent();
            assertThat(list).contains(name(school)).doesNotContain(name(neighbour));
            assertThat(page.locator("a[href='/access/requests/" + ownRequest + "']").count()).isEqualTo(1);
            assertThat(page.locator("a[href='/access/requests/" + neighboursRequest + "']").count()).isZero();
            // the reminder counts the school's own agreement that comes up for re-approval
            assertThat(page.getByRole(AriaRole.STATUS).textContent()).contains("1 dataåtkomstavtal ska snart godkännas på nytt");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "access-scoped-01-requests-sv");

            page.locator("a[href='/access/requests/" + ownRequest + "']").click();
            page.waitForURL(url -> url.endsWith("/access/requests/" + ownRequest));
            assertThat(page.locator("main").textContent()).contains("Väntar på beslut").contains(name(school));
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "access-scoped-02-request-sv");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Godkänn").setExact(true)).click();
            assertThat(page.getByRole(AriaRole.STATUS).textContent()).contains("Avtalet gäller.");
            assertThat(agreements.agreement(ownRequest).orElseThrow().state()).isEqualTo(DataAccessAgreement.State.APPROVED);

            // the neighbouring school's request is not there, not forbidden
            assertThat(page.navigate(base + "/access/requests/" + neighboursRequest).status()).isEqualTo(404);

            // filing a request: the scope picker offers the school, never the organiser above it nor the neighbour
            page.navigate(base + "/access/requests/new?supplier=" + fx.supplierId);
            assertThat(page.locator("input[name=scope][value='" + school + "']").count()).isEqualTo(1);
            assertThat(page.locator("input[name=scope][value='" + fx.organiserId + "']").count()).isZero();
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "access-scoped-03-scope-picker-sv");
            page.waitForResponse(r -> r.url().contains("/access/pick/scopes"),
                    () -> page.locator("#findScope").fill(name(neighbour)));
            assertThat(page.locator("input[name=scope][value='" + neighbour + "']").count()).isZero();
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "access-scoped-04-neighbour-not-offered-sv");

            // the re-approval list and the agreement's re-approval page: the documented overview of its processing
            page.navigate(base + "/access/reapprovals");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            page.locator("a[href='/access/reapprovals/" + dueAgreement + "']").click();
            page.waitForURL(url -> url.endsWith("/access/reapprovals/" + dueAgreement));
            assertThat(page.locator("h1").textContent()).contains("Förnyat godkännande");
            assertThat(page.locator("main").textContent()).contains("Vad leverantören har fått").contains("Uppgifter om 1 personer")
                    .contains("12 dagar kvar").contains(name(school));
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "reapproval-01-overview-sv");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Godkänn på nytt").setExact(true)).click();
            assertThat(page.getByRole(AriaRole.STATUS).first().textContent()).contains("Avtalet är godkänt på nytt.");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "reapproval-02-done-sv");
        }
    }
}
