package org.tilldela.people.web;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.directory.Viewer;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.Scopes;
import org.tilldela.ledger.Holding;
import org.tilldela.ledger.LedgerReports;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.Licences;
import org.tilldela.licensing.PersonLicence;

/**
 * A person's page ({@code /directory/persons/{id}}): who they are, where they belong, their licences, what would be
 * released about them to each supplier now, and what has been. The page needs DIRECTORY_ADMIN with the person within
 * its scope (else 404); each further section is shown only to an account holding the right that section belongs to
 * over the person (licences: LICENCE_ADMIN; data access: ACCESS_ADMIN or DATA_PROTECTION_OFFICER; disclosures:
 * DATA_PROTECTION_OFFICER), so the page never shows more than the account's other pages would.
 */
@Controller
@PreAuthorize("hasAuthority('RIGHT_DIRECTORY_ADMIN')")
class PersonPage {

    /** A licence as the page lists it: with whether its pool came from an order (else it was set up by hand, or is a trial). */
    record LicenceView(PersonLicence licence, boolean fromOrder) {
    }

    /** What the release policy would release now about the person to one product of one supplier: attribute names only. */
    record ProductAccess(UUID productId, String productTitle, List<Attribute> attributes, boolean underAgreement) {
    }

    record SupplierAccess(UUID supplierId, String supplierName, List<ProductAccess> products) {
    }

    /** What the ledger holds as released to one supplier's product. */
    record Disclosed(String supplierName, String productName, Holding holding) {
    }

    private final Scopes scopes;
    private final OrganisationBrowser directory;
    private final Licences licences;
    private final LicencePools pools;
    private final ReleasePolicy releasePolicy;
    private final LedgerReports ledger;
    private final Catalog catalog;

    private final org.tilldela.provisioning.Connectors connectors;

    PersonPage(Scopes scopes, OrganisationBrowser directory, Licences licences, LicencePools pools, ReleasePolicy releasePolicy, LedgerReports ledger,
               Catalog catalog, org.tilldela.provisioning.Connectors connectors) {
        this.connectors = connectors;
        this.scopes = scopes;
        this.directory = directory;
        this.licences = licences;
        this.pools = pools;
        this.releasePolicy = releasePolicy;
        this.ledger = ledger;
        this.catalog = catalog;
    }

    @GetMapping("/directory/persons/{id}")
    String person(@PathVariable UUID id, Authentication auth, Model model) {
        Viewer viewer = new Viewer(auth.getName(), scopes.of(auth, AdminRight.DIRECTORY_ADMIN), scopes.of(auth, AdminRight.VIEW_PROTECTED_IDENTITIES));
        // out of scope and absent alike: nobody learns that a person outside their scope exists
        OrganisationBrowser.Profile profile = directory.profile(id, viewer).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        model.addAttribute("profile", profile);
        model.addAttribute("personId", id);

        boolean licenceAdmin = covers(auth, AdminRight.LICENCE_ADMIN, id);
        boolean officer = covers(auth, AdminRight.DATA_PROTECTION_OFFICER, id);
        boolean accessAdmin = officer || covers(auth, AdminRight.ACCESS_ADMIN, id);
        model.addAttribute("licencesShown", licenceAdmin);
        model.addAttribute("accessShown", accessAdmin);
        model.addAttribute("disclosuresShown", officer);

        List<PersonLicence> held = licenceAdmin || accessAdmin ? licences.ofPerson(id) : List.of();
        if (licenceAdmin) {
            model.addAttribute("licences", held.stream().map(l -> new LicenceView(l,
                    pools.pool(l.poolId()).map(LicencePools.Pool::orderLineId).isPresent())).toList());
        }
        if (accessAdmin) {
            model.addAttribute("access", access(id, held));
        }
        if (officer) {
            List<Holding> holdings = ledger.holdings(id, LocalDate.now(), auth.getName());
            Map<UUID, String> suppliers = ledger.supplierNames(holdings.stream().map(Holding::supplierId).distinct().toList());
            Map<UUID, String> products = ledger.productNames(holdings.stream().map(Holding::productId).distinct().toList());
            model.addAttribute("disclosures", holdings.stream().map(h -> new Disclosed(suppliers.get(h.supplierId()), products.get(h.productId()), h)).toList());
        }
        return "people/person";
    }

    /**
     * What the publishers with a BOL connection say they hold about the person, asked now (the data protection officer,
     * to compare with the ledger; audited by the connectors).
     */
    @GetMapping("/directory/persons/{id}/publishers")
    String publishers(@PathVariable UUID id, Authentication auth, Model model) {
        Viewer viewer = new Viewer(auth.getName(), scopes.of(auth, AdminRight.DIRECTORY_ADMIN), scopes.of(auth, AdminRight.VIEW_PROTECTED_IDENTITIES));
        OrganisationBrowser.Profile profile = directory.profile(id, viewer).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        if (!covers(auth, AdminRight.DATA_PROTECTION_OFFICER, id)) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN);
        }
        model.addAttribute("profile", profile);
        model.addAttribute("personId", id);
        model.addAttribute("answers", connectors.publisherLicences(id, auth.getName()));
        return "people/publishers";
    }

    /** Does the account hold the right over this person? A quiet check: nothing about the person is shown by it. */
    private boolean covers(Authentication auth, AdminRight right, UUID personId) {
        var scope = scopes.of(auth, right);
        return !scope.isNothing() && directory.isWithin(personId, scope);
    }

    /**
     * Per supplier, what the release policy would release about the person now to each product they hold a live licence
     * for — asked as a preview ({@link ReleasePolicy#permitted}): nothing leaves and nothing is written to the ledger.
     */
    private List<SupplierAccess> access(UUID personId, List<PersonLicence> held) {
        List<UUID> productIds = held.stream().filter(l -> !"ENDED".equals(l.state())).map(PersonLicence::productId).distinct().toList();
        Map<UUID, Product> products = catalog.products(productIds).stream().collect(Collectors.toMap(Product::id, Function.identity()));
        Map<UUID, Supplier> suppliers = catalog.suppliers(products.values().stream().map(Product::supplierId).distinct().toList()).stream()
                .collect(Collectors.toMap(Supplier::id, Function.identity()));
        Map<UUID, List<ProductAccess>> bySupplier = new LinkedHashMap<>();
        for (UUID productId : productIds) {
            Product product = products.get(productId);
            if (product == null) {
                continue;
            }
            ReleasePolicy.Permission permitted = releasePolicy.permitted(personId, productId);
            Set<Attribute> attributes = new TreeSet<>(permitted.attributes());
            bySupplier.computeIfAbsent(product.supplierId(), s -> new ArrayList<>())
                    .add(new ProductAccess(productId, product.title(), List.copyOf(attributes), permitted.agreementId() != null));
        }
        return bySupplier.entrySet().stream().map(e -> new SupplierAccess(e.getKey(),
                Optional.ofNullable(suppliers.get(e.getKey())).map(Supplier::name).orElse(null), e.getValue())).toList();
    }
}
