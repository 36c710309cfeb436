package org.tilldela.purchase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;

/**
 * A cart line without recipients is a normal state — the buyer added a product and has not picked anyone
 * yet: the cart shows the line and asks for recipients (in the reader's language), and ordering such a
 * cart says what is missing and places nothing, not even the lines that have recipients.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CartWithoutRecipientsTest extends IntegrationTest {

    @LocalServerPort int port;
    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired AdminAccounts accounts;
    @Autowired BuyerScopes scopes;
    @Autowired Cart cart;

    PurchaseFixture fx;
    UUID product;
    UUID other;

    @BeforeAll
    void setUp() throws Exception {
        fx = new PurchaseFixture(imports, jdbc, catalog);
        UUID supplier = fx.supplier("Läromedel med avtal", true, List.of());
        product = fx.product(supplier, "Digital fysik", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        other = fx.product(supplier, "Digital kemi", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
    }

    private long orders(String buyer) {
        return jdbc.sql("select count(*) from purchase_order where buyer = :b").param("b", buyer).query(Long.class).single();
    }

    @Test
    void theCartShowsALineWithoutRecipientsAndAsksForThem() {
        String buyer = fx.buyer(accounts, scopes, "cart-empty", fx.organiserId);
        WebSession web = new WebSession(port).signIn(buyer, PurchaseFixture.PASSWORD);
        WebSession.Answer productPage = web.get("/purchase/products/" + product);
        Map<String, String> fields = WebSession.hiddenFields(productPage.body(), "/purchase/cart");
        fields.put("productId", product.toString());
        WebSession.Answer added = web.post("/purchase/cart", fields);
        assertThat(added.status()).isEqualTo(302);
        assertThat(added.location()).contains("/recipients");

        // the buyer leaves the recipients page and opens the cart, now and on every later visit
        for (int visit = 0; visit < 2; visit++) {
            WebSession.Answer page = web.get("/purchase/cart");
            assertThat(page.status()).as("the cart with a line nobody was picked for yet").isEqualTo(200);
            assertThat(page.body()).contains("Digital fysik").contains("Choose who should get Digital fysik " + fx.tag);
            assertThat(page.body()).doesNotContain("/purchase/checkout\"");
        }
        assertThat(web.get("/purchase/cart?lang=sv").body()).contains("Välj vilka som ska få Digital fysik " + fx.tag);
        assertThat(web.get("/purchase/cart?lang=da").body()).contains("Vælg hvem der skal have Digital fysik " + fx.tag);
    }

    @Test
    void orderingACartWithALineWithoutRecipientsSaysSoAndPlacesNothing() {
        String buyer = fx.buyer(accounts, scopes, "cart-half", fx.organiserId);
        UUID withRecipients = cart.add(buyer, other, null, false);
        cart.addRecipients(buyer, withRecipients, List.of(Recipient.group(fx.group("c-7a"))));
        cart.add(buyer, product, null, false);

        assertThatThrownBy(() -> cart.checkout(buyer)).isInstanceOf(RecipientsMissing.class).hasMessageContaining("Digital fysik");
        assertThat(orders(buyer)).isZero();

        // the same from the cart page (an old tab still showing the order button)
        WebSession web = new WebSession(port).signIn(buyer, PurchaseFixture.PASSWORD);
        Map<String, String> fields = WebSession.hiddenFields(web.get("/purchase/products/" + product).body(), "/purchase/cart");
        fields.remove("productId");
        WebSession.Answer placed = web.post("/purchase/checkout", fields);
        assertThat(placed.status()).isEqualTo(302);
        assertThat(placed.location()).endsWith("/purchase/cart");
        WebSession.Answer page = web.follow(placed);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("The order was not placed: choose who should get Digital fysik " + fx.tag);
        assertThat(orders(buyer)).as("nothing half-applied: not even the line with recipients").isZero();
        assertThat(cart.lines(buyer)).hasSize(2);
        assertThat(jdbc.sql("select count(*) from licence_pool where created_by = :b").param("b", buyer).query(Long.class).single()).isZero();
    }
}
