package org.tilldela.sso;

import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Supplier;
import org.tilldela.licensing.Licences;
import org.tilldela.licensing.PersonLicence;

/** What a signed-in pupil or member of staff sees first: the products they hold a licence for today, with their suppliers. */
@Service
public class StartPage {

    /** Where the authorization endpoint leaves what the page about a missing licence shows. */
    public static final String NO_LICENCE_SESSION_KEY = AuthorizationErrors.SESSION_KEY;

    private final Licences licences;
    private final Catalog catalog;

    private final SignInClients clients;
    private final SamlServiceProviders samlProviders;

    StartPage(Licences licences, Catalog catalog, SignInClients clients, SamlServiceProviders samlProviders) {
        this.licences = licences;
        this.catalog = catalog;
        this.clients = clients;
        this.samlProviders = samlProviders;
    }

    /**
     * {@code openUrl}: one click to the product, signed in — its OpenID initiate-login URI with our issuer, else (a product
     * signing in by SAML) an IdP-initiated SAML sign-in to its SP; null when it has neither.
     */
    public record Tile(UUID productId, String title, String supplierName, String openUrl) {
    }

    public record View(List<Tile> tiles) {
    }

    /** @param issuer this provider's issuer, which the product is told to sign in at */
    public View of(UUID personId, String issuer) {
        LocalDate today = LocalDate.now();
        List<UUID> held = licences.ofPerson(personId).stream().filter(l -> licences.holds(personId, l.productId(), today))
                .map(PersonLicence::productId).distinct().toList();
        java.util.Map<UUID, String> open = clients.initiateLoginUris(held);
        java.util.Map<UUID, String> saml = samlProviders.entityIdsOf(held);
        List<Tile> tiles = held.stream()
                .map(id -> catalog.product(id).orElse(null)).filter(p -> p != null)
                .map(p -> new Tile(p.id(), p.title(), catalog.supplier(p.supplierId()).map(Supplier::name).orElse(""),
                        open.containsKey(p.id()) ? org.springframework.web.util.UriComponentsBuilder.fromUriString(open.get(p.id()))
                                .queryParam("iss", issuer).encode().build().toUriString()
                        : saml.containsKey(p.id()) ? org.springframework.web.util.UriComponentsBuilder.fromPath("/saml2/idp/initiate")
                                .queryParam("sp", saml.get(p.id())).encode().build().toUriString() : null))
                .toList();
        return new View(tiles);
    }

}
