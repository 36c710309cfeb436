package org.tilldela.sso;

import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;

/**
 * What a pupil or member of staff is told the first time they sign in to a product: which data the school
 * shares with its supplier, for what, on what legal basis and for how long — transparency (GDPR art. 13),
 * not a request for consent. Worked out by the release policy without releasing or recording anything.
 */
@Service
public class FirstSignInNotice {

    /** Where the authorization server sends the person (its consent page). */
    public static final String PATH = "/start/notice";

    private final ReleasePolicy policy;
    private final Catalog catalog;
    private final SignInClients clients;

    FirstSignInNotice(ReleasePolicy policy, Catalog catalog, SignInClients clients) {
        this.policy = policy;
        this.catalog = catalog;
        this.clients = clients;
    }

    /** {@code attributes} in the vocabulary's order; empty when nothing would go (the sign-in then fails on its own). */
    /**
     * {@code underAgreement}: the school has a data-access agreement with the supplier; without one only the
     * minimum the product declared goes, and the policy's own wording of that is not for pupils' eyes.
     */
    public record Notice(String productTitle, String supplierName, List<Attribute> attributes, String purpose, String legalBasis, int retentionDays,
                         boolean underAgreement) {
    }

    public Notice of(UUID personId, String clientId) {
        return of(personId, clients.productOf(clientId).orElseThrow(() -> new IllegalArgumentException("not a product's sign-in client")));
    }

    /** The notice of a first sign-in to the product, whatever the protocol (an OpenID client's or a SAML SP's). */
    public Notice ofProduct(UUID personId, UUID productId) {
        return of(personId, productId);
    }

    private Notice of(UUID personId, UUID productId) {
        Product product = catalog.product(productId).orElseThrow();
        ReleasePolicy.Permission permitted = policy.permitted(personId, productId);
        return new Notice(product.title(), catalog.supplier(product.supplierId()).map(Supplier::name).orElse(""),
                permitted.attributes().stream().sorted().toList(), permitted.purpose(), permitted.legalBasis(), permitted.retentionDays(),
                permitted.agreementId() != null);
    }
}
