package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.BrowserSupport;
import org.tilldela.IntegrationTest;
import org.tilldela.catalog.Catalog;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.purchase.BuyerScopes;
import org.tilldela.purchase.Deliveries;
import org.tilldela.purchase.LineDelivery;
import org.tilldela.purchase.Order;
import org.tilldela.purchase.OrderLineRequest;
import org.tilldela.purchase.Orders;
import org.tilldela.purchase.Recipient;

/**
 * In a real browser, a buyer follows an order sent to a publisher through BOL: one line delivered with its keys, one the
 * publisher refused, each with its state at the publisher; then the utilisation page with the publisher's own figures.
 * Every page passes axe's WCAG 2.1 AA checks in Swedish, Danish and English.
 */
class BolBrowserTest extends IntegrationTest {

    @LocalServerPort int port;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired AdminAccounts accounts;
    @Autowired BuyerScopes buyerScopes;
    @Autowired Orders orders;
    @Autowired Deliveries deliveries;
    @Autowired Connectors connectors;

    @Test
    void aBuyerFollowsTheOrderAtThePublisherAndSeesThePublishersFigures() throws Exception {
        try (BolFixture fx = new BolFixture(jdbc, catalog, connectors, accounts, buyerScopes)) {
            UUID delivered = fx.product("Läsresan åk 4");
            UUID refused = fx.product("Skrivresan åk 4");
            UUID connector = fx.connector("Förlagets BOL", delivered, refused);
            String buyer = fx.buyer("bol-browser");
            // the publisher sells the one and refuses the other: two orders, one per answer
            fx.publisher.orderMode = BolTestServer.Orders.DELIVER;
            Order first = orders.place(buyer, List.of(new OrderLineRequest(delivered, List.of(Recipient.group(fx.m.gB)), null, false))).order();
            await().atMost(Duration.ofSeconds(30)).until(() -> state(first) == LineDelivery.Status.DELIVERED);
            fx.publisher.orderMode = BolTestServer.Orders.REFUSE;
            Order second = orders.place(buyer, List.of(new OrderLineRequest(refused, List.of(Recipient.group(fx.m.gB)), null, false))).order();
            await().atMost(Duration.ofSeconds(30)).until(() -> state(second) == LineDelivery.Status.NOT_SENT);
            String line = first.lines().getFirst().id().toString();
            long holders = jdbc.sql("select count(*) from licence_assignment where pool_id = :p and state = 'ACTIVE'")
                    .param("p", first.lines().getFirst().poolId()).query(Long.class).single();
            fx.awaitAssigned(jdbc, first.lines().getFirst().id(), holders);
            fx.publisher.used.add(fx.publisher.held().stream().filter(a -> a.get("line").equals(line)).findFirst().orElseThrow().get("userId"));
            connectors.fetchStatistics(connector, "test");

            Browser browser = BrowserSupport.browser();
            try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("sv-SE"))) {
                Page page = context.newPage();
                BrowserSupport.signIn(page, port, "sv", buyer, BolFixture.PASSWORD);
                page.navigate("http://localhost:" + port + "/purchase/orders?lang=sv");
                page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Beställning " + first.number()).setExact(true)).click();
                page.waitForURL(url -> url.contains("/purchase/orders/" + first.id()));
                assertThat(page.locator(".delivery dt").textContent()).isEqualTo("Hos förlaget");
                assertThat(page.locator(".delivery dd").textContent()).contains("Levererad").contains("licensnycklar");
                assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
                BrowserSupport.screenshot(page, "bol-01-order-delivered-sv");

                page.navigate("http://localhost:" + port + "/purchase/orders/" + second.id() + "?lang=da");
                assertThat(page.locator(".delivery dd").textContent()).contains("Nåede ikke frem til forlaget").contains("not sold to this client");
                assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
                BrowserSupport.screenshot(page, "bol-02-order-refused-da");

                page.navigate("http://localhost:" + port + "/purchase/orders/" + first.id() + "?lang=en");
                assertThat(page.locator(".delivery dd").textContent()).contains("Delivered");
                assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();

                for (String lang : List.of("sv", "da", "en")) {
                    page.navigate("http://localhost:" + port + "/utilisation?lang=" + lang + "&product=" + delivered);
                    page.waitForFunction("() => window.Chart && Chart.getChart(document.getElementById('utilisation-chart'))");
                    assertThat(page.locator("#publishers-table tbody tr").count()).isOne();
                    List<String> cells = page.locator("#publishers-table tbody tr td").allTextContents();
                    assertThat(cells.get(1)).isEqualTo(switch (lang) {
                        case "sv" -> "per användare";
                        case "da" -> "pr. bruger";
                        default -> "per user";
                    });
                    assertThat(cells.get(2)).as("licences, as the publisher counts them").isEqualTo("2");
                    // one pupil used it: a count of persons below 5 is not shown, as in Tilldela's own figures
                    assertThat(cells.get(5)).isEqualTo(switch (lang) {
                        case "sv" -> "färre än 5";
                        case "da" -> "færre end 5";
                        default -> "fewer than 5";
                    });
                    assertThat(cells.get(4)).as("not assigned would give the assigned away").isEqualTo("–");
                    assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
                    if (!lang.equals("en")) {
                        continue;
                    }
                    page.locator("#publishers").scrollIntoViewIfNeeded();
                    BrowserSupport.screenshot(page, "bol-03-publisher-figures-en");
                }
            }
            // the data protection officer asks the publisher what it holds about one of the pupils, from the person's page (Danish)
            UUID pupil = jdbc.sql("select person_id from bol_assignment where line_id = :l order by person_id limit 1")
                    .param("l", first.lines().getFirst().id()).query(UUID.class).single();
            String officer = "bol-dpo-" + fx.m.source;
            accounts.create(officer, "Dataskyddsombud", BolFixture.PASSWORD, java.util.EnumSet.of(org.tilldela.governance.AdminRight.DIRECTORY_ADMIN,
                    org.tilldela.governance.AdminRight.DATA_PROTECTION_OFFICER), "test");
            try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("da-DK"))) {
                Page page = context.newPage();
                BrowserSupport.signIn(page, port, "da", officer, BolFixture.PASSWORD);
                page.navigate("http://localhost:" + port + "/directory/persons/" + pupil + "?lang=da");
                page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Spørg forlagene, hvad de har om personen (BOL)")).click();
                page.waitForURL(url -> url.contains("/publishers"));
                assertThat(page.locator("h1").textContent()).isEqualTo("Hvad forlagene har");
                assertThat(page.locator("table tbody tr").first().textContent()).contains(catalog.product(delivered).orElseThrow().articleNumber())
                        .contains("B-skolan");
                assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
                BrowserSupport.screenshot(page, "bol-06-publishers-hold-da");
            }
            assertThat(fx.publisher.violations).isEmpty();
        }
    }

    @Test
    void anAdministratorSetsUpABolConnectorInTheFormAndSendsAFailedOrderAgainFromItsPage() throws Exception {
        try (BolFixture fx = new BolFixture(jdbc, catalog, connectors, accounts, buyerScopes)) {
            UUID product = fx.product("Samhällsboken åk 4");
            String title = catalog.product(product).orElseThrow().title();
            String admin = "bol-admin-" + fx.m.source;
            accounts.create(admin, "Kopplingar", BolFixture.PASSWORD, java.util.EnumSet.of(org.tilldela.governance.AdminRight.ACCESS_ADMIN), "test");
            Browser browser = BrowserSupport.browser();
            try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("sv-SE"))) {
                Page page = context.newPage();
                BrowserSupport.signIn(page, port, "sv", admin, BolFixture.PASSWORD);
                page.navigate("http://localhost:" + port + "/provisioning/connectors/new?supplier=" + fx.supplier + "&lang=sv");
                page.getByLabel("Beställningar och licenser (BOL)").check();
                page.getByLabel("Kopplingens namn").fill("Förlagets BOL");
                page.getByLabel("Adress till leverantörens tjänst (SCIM eller BOL)").fill(fx.publisher.baseUrl());
                page.locator("#auth-BEARER").check();
                page.locator("#bearerToken").fill(fx.publisher.token);
                page.getByLabel(title).check();
                // the publisher's identity forgotten: refused next to the field, nothing kept
                page.locator("form[method=post] button.primary").click();
                page.waitForLoadState();
                assertThat(page.locator("#serviceProviderId").getAttribute("aria-invalid")).isEqualTo("true");
                assertThat(page.locator("[role=alert]").textContent()).contains("Ange förlagets BOL-identitet");
                assertThat(page.locator("#profile-BOL").isChecked()).as("as typed").isTrue();
                assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
                page.locator("#serviceProviderId").fill(fx.publisher.serviceProviderId);
                page.locator("#bearerToken").fill(fx.publisher.token);
                BrowserSupport.screenshot(page, "bol-04-connector-form-sv");
                page.locator("form[method=post] button.primary").click();
                page.waitForURL(url -> url.matches(".*/provisioning/connectors/[0-9a-f-]{36}$"));
                UUID connector = UUID.fromString(page.url().substring(page.url().lastIndexOf('/') + 1));
                assertThat(page.locator(".facts").first().textContent()).contains("Beställningar och licenser (BOL)").contains(fx.publisher.serviceProviderId)
                        .contains(title);
                assertThat(page.locator("#bol-orders").textContent()).contains("Inga beställningar till förlaget ännu.");
                // changed later: what it takes is fixed, its BOL identity is shown to change, SCIM's resource types are not offered
                page.navigate("http://localhost:" + port + "/provisioning/connectors/" + connector + "/edit?lang=sv");
                assertThat(page.locator("#serviceProviderId").inputValue()).isEqualTo(fx.publisher.serviceProviderId);
                assertThat(page.locator("#resourceTypes").count()).isZero();
                assertThat(page.locator("input[name=profile]").count()).isZero();
                assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
                page.navigate("http://localhost:" + port + "/provisioning/connectors/" + connector + "?lang=sv");

                // an order the publisher refuses is listed, and sent again from the page once the publisher sells it
                fx.publisher.orderMode = BolTestServer.Orders.REFUSE;
                String buyer = fx.buyer("bol-form");
                Order order = orders.place(buyer, List.of(new OrderLineRequest(product, List.of(Recipient.group(fx.m.gB)), null, false))).order();
                await().atMost(Duration.ofSeconds(30)).until(() -> state(order) == LineDelivery.Status.NOT_SENT);
                page.reload();
                assertThat(page.locator("#bol-orders tbody tr").first().textContent()).contains(Long.toString(order.number()))
                        .contains("Nådde inte förlaget").contains("not sold to this client");
                assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
                BrowserSupport.screenshot(page, "bol-05-connector-orders-sv");
                fx.publisher.orderMode = BolTestServer.Orders.DELIVER;
                page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Skicka beställning " + order.number() + " igen")).click();
                page.waitForURL(url -> url.endsWith("/provisioning/connectors/" + connector));
                assertThat(page.locator("[role=status]").first().textContent()).contains("Beställningen står i kö för att skickas igen.");
                await().atMost(Duration.ofSeconds(30)).until(() -> state(order) == LineDelivery.Status.DELIVERED);
                assertThat(jdbc.sql("select actor from audit_event where action = 'BOL_ORDER_SENT_AGAIN' and target_id = :o").param("o", order.id().toString())
                        .query(String.class).single()).isEqualTo(admin);
            }
            assertThat(fx.publisher.violations).isEmpty();
        }
    }

    private LineDelivery.Status state(Order order) {
        LineDelivery d = deliveries.ofOrder(order.id()).get(order.lines().getFirst().id());
        return d == null ? null : d.status();
    }
}
