package org.tilldela.sso;

import java.time.LocalDate;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.licensing.Licences;

/**
 * The licence check every sign-in to a product makes, whatever the protocol (OpenID Connect or SAML): the
 * person holds a licence for the product today, or is refused with the same page, which names the product and
 * its supplier and keeps the reason between Tilldela and the person.
 */
@Component
class SignInLicence {

    private final Licences licences;
    private final Catalog catalog;

    SignInLicence(Licences licences, Catalog catalog) {
        this.licences = licences;
        this.catalog = catalog;
    }

    boolean holds(UUID personId, UUID productId) {
        return productId != null && licences.holds(personId, productId, LocalDate.now());
    }

    /** What the refusal page shows; {@code backToProduct} is where its first button goes (null: none). */
    AuthorizationErrors.NoLicence refusal(UUID productId, String backToProduct) {
        Product product = catalog.product(productId).orElseThrow();
        return new AuthorizationErrors.NoLicence(product.title(), catalog.supplier(product.supplierId()).map(Supplier::name).orElse(""), backToProduct);
    }
}
