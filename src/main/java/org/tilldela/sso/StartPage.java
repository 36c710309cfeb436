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

    StartPage(Licences licences, Catalog catalog) {
        this.licences = licences;
        this.catalog = catalog;
    }

    public record Tile(UUID productId, String title, String supplierName) {
    }

    public record View(List<Tile> tiles) {
    }

    public View of(UUID personId) {
        LocalDate today = LocalDate.now();
        List<Tile> tiles = licences.ofPerson(personId).stream()
                .filter(l -> licences.holds(personId, l.productId(), today))
                .map(PersonLicence::productId).distinct()
                .map(id -> catalog.product(id).orElse(null)).filter(p -> p != null)
                .map(p -> new Tile(p.id(), p.title(), catalog.supplier(p.supplierId()).map(Supplier::name).orElse("")))
                .toList();
        return new View(tiles);
    }

}
