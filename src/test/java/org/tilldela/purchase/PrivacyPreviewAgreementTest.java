package org.tilldela.purchase;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.access.AttributePackage;
import org.tilldela.access.DataAccessAgreement;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.access.NewDataAccessRequest;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;

/**
 * The privacy preview says what the data-access agreement in force allows — its retention, its
 * attributes — and falls back to the product's declaration only where no agreement is in force, saying so:
 * a declaration of 90 days must not be shown when the agreement the school approved says 30.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrivacyPreviewAgreementTest extends IntegrationTest {

    @LocalServerPort int port;
    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired AdminAccounts accounts;
    @Autowired BuyerScopes scopes;
    @Autowired Orders orders;
    @Autowired Cart cart;
    @Autowired DataAccessAgreements agreements;

    PurchaseFixture fx;
    UUID supplier;

    @BeforeAll
    void setUp() throws Exception {
        fx = new PurchaseFixture(imports, jdbc, catalog);
        supplier = fx.supplier("Läromedel med avtal", true, List.of());
    }

    /** A sign-in product that declares names and groups, kept 90 days after the licence ends. */
    private UUID product(String title) {
        UUID id = UUID.randomUUID();
        catalog.save(new Product(id, "PRV-" + id.toString().substring(0, 13), supplier, title + " " + fx.tag, "", Product.Kind.DIGITAL, List.of("GR"),
                List.of("07"), List.of("Matematik"), Product.LicenceModel.PER_USER, 12, new BigDecimal("99.00"), "SEK", null,
                Product.AccessMethod.OPENID_CONNECT, PurchaseFixture.SMALL.stream()
                .map(a -> new Product.DataNeed(a, "deklarerat syfte", 90, Set.of("SE"))).toList()));
        return id;
    }

    private PrivacyPreview preview(String buyer, UUID product) {
        Quote quote = orders.quote(buyer, List.of(new OrderLineRequest(product, List.of(Recipient.group(fx.group("c-7b"))), null, false)));
        return quote.lines().getFirst().preview();
    }

    private static PrivacyPreview.AttributeReach row(PrivacyPreview preview, Attribute attribute) {
        return preview.attributes().stream().filter(a -> a.attribute() == attribute).findFirst().orElseThrow();
    }

    @Test
    void underAnAgreementThePreviewShowsItsRetentionAndAttributes() {
        UUID product = product("Avtalad matematik");
        // the school approved the SMALL package for 30 days, narrowed to exclude the family name
        DataAccessAgreement filed = agreements.file(supplier, new NewDataAccessRequest(product, fx.organiserId, AttributePackage.SMALL, Set.of(),
                "Inloggning enligt avtal", "Allmänt intresse", 30), "supplier");
        agreements.approve(filed.id(), Set.of(Attribute.PSEUDONYMOUS_ID, Attribute.SCHOOL_UNIT, Attribute.GROUPS, Attribute.GIVEN_NAME),
                "Efternamn behövs inte", "school-admin");
        String buyer = fx.buyer(accounts, scopes, "preview-agreed", fx.organiserId);

        PrivacyPreview preview = preview(buyer, product);
        assertThat(preview.byDeclaration()).isZero();
        PrivacyPreview.AttributeReach givenName = row(preview, Attribute.GIVEN_NAME);
        assertThat(givenName.retentionDays()).as("the agreement's 30 days, not the declaration's 90").isEqualTo(30);
        assertThat(givenName.purpose()).isEqualTo("Inloggning enligt avtal");
        assertThat(givenName.basis()).isEqualTo(PrivacyPreview.Basis.AGREEMENT);
        assertThat(givenName.persons()).isEqualTo(4); // 7B: three pupils and their teacher
        PrivacyPreview.AttributeReach familyName = row(preview, Attribute.FAMILY_NAME);
        assertThat(familyName.persons()).as("narrowed away by the agreement").isZero();
        assertThat(familyName.basis()).isEqualTo(PrivacyPreview.Basis.NOT_RELEASED);

        // and so says the cart page
        UUID line = cart.add(buyer, product, null, false);
        cart.addRecipients(buyer, line, List.of(Recipient.group(fx.group("c-7b"))));
        String page = new WebSession(port).signIn(buyer, PurchaseFixture.PASSWORD).get("/purchase/cart").body();
        String table = page.substring(page.indexOf("<table"), page.indexOf("</table>"));
        assertThat(table).contains("30 days").doesNotContain("90 days");
        assertThat(page).doesNotContain("No data-access agreement is in force");
    }

    @Test
    void withoutAnAgreementInForceThePreviewFallsBackToTheDeclarationAndSaysSo() {
        UUID product = product("Oavtalad matematik");
        String buyer = fx.buyer(accounts, scopes, "preview-declared", fx.organiserId);

        PrivacyPreview preview = preview(buyer, product);
        assertThat(preview.byDeclaration()).isEqualTo(4);
        PrivacyPreview.AttributeReach pseudonym = row(preview, Attribute.PSEUDONYMOUS_ID);
        assertThat(pseudonym.retentionDays()).isEqualTo(90);
        assertThat(pseudonym.basis()).isEqualTo(PrivacyPreview.Basis.DECLARATION);
        assertThat(row(preview, Attribute.GIVEN_NAME).persons()).as("names need an agreement").isZero();

        UUID line = cart.add(buyer, product, null, false);
        cart.addRecipients(buyer, line, List.of(Recipient.group(fx.group("c-7b"))));
        WebSession web = new WebSession(port).signIn(buyer, PurchaseFixture.PASSWORD);
        String page = web.get("/purchase/cart").body();
        assertThat(page).contains("No data-access agreement is in force for this product for 4 recipients").contains("(as declared: no agreement in force)");
        assertThat(web.get("/purchase/cart?lang=sv").body()).contains("Inget dataåtkomstavtal gäller för produkten för 4 mottagare");
    }
}
