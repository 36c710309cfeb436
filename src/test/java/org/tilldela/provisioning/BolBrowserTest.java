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
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.publisher.held().stream().anyMatch(a -> a.get("line").equals(line)));
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
            assertThat(fx.publisher.violations).isEmpty();
        }
    }

    private LineDelivery.Status state(Order order) {
        LineDelivery d = deliveries.ofOrder(order.id()).get(order.lines().getFirst().id());
        return d == null ? null : d.status();
    }
}
