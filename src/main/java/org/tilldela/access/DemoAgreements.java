package org.tilldela.access;

import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.CatalogPage;
import org.tilldela.catalog.CatalogQuery;
import org.tilldela.catalog.CatalogSearch;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.DemoCatalogueLoaded;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.ledger.Channel;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.Licences;
import org.tilldela.licensing.NewPool;
import org.tilldela.licensing.Selector;

/**
 * On first start, after the demo catalogue: one agreement in force (names for a sign-in product of a
 * supplier with a processing agreement) and one request waiting for a decision, so the Data access
 * pages show both sides of the work; and one class licensed for the product whose pupils and teacher
 * have signed in once — released through the policy like any sign-in, so the disclosure ledger has
 * something to show.
 */
@Component
class DemoAgreements {

    private static final Logger log = LoggerFactory.getLogger(DemoAgreements.class);

    private final DataAccessAgreements agreements;
    private final ReleasePolicy policy;
    private final LicencePools pools;
    private final Licences licences;
    private final Catalog catalog;
    private final CatalogSearch search;
    private final OrganisationBrowser directory;
    private final boolean enabled;
    private final org.springframework.context.ApplicationEventPublisher events;

    DemoAgreements(DataAccessAgreements agreements, ReleasePolicy policy, LicencePools pools, Licences licences, Catalog catalog,
                   CatalogSearch search, OrganisationBrowser directory, @Value("${tilldela.demo:true}") boolean enabled,
                   org.springframework.context.ApplicationEventPublisher events) {
        this.events = events;
        this.agreements = agreements;
        this.policy = policy;
        this.pools = pools;
        this.licences = licences;
        this.catalog = catalog;
        this.search = search;
        this.directory = directory;
        this.enabled = enabled;
    }

    @EventListener(DemoCatalogueLoaded.class)
    void load() {
        if (!enabled || directory.roots().isEmpty()) {
            return;
        }
        OrganisationBrowser.Organisation organiser = directory.roots().getFirst();
        List<Supplier> covered = catalog.allSuppliers().stream().filter(s -> s.hasProcessingAgreementFor(organiser.id(), LocalDate.now())).toList();
        int filed = 0;
        for (int i = 0; i < covered.size() && filed < 2; i++) {
            CatalogPage page = search.search(new CatalogQuery("", EnumSet.of(Product.Kind.DIGITAL), null, null, Set.of(covered.get(i).id()),
                    Set.of(Attribute.GIVEN_NAME), 1, 20));
            // a product within the default data policy (the SMALL package): its pool passes the compliance gate without an officer's approval
            var hit = page.hits().stream().filter(h -> catalog.product(h.id())
                    .map(p -> AttributePackage.SMALL.attributes().containsAll(p.declaredAttributes())).orElse(false)).findFirst();
            if (hit.isEmpty()) {
                continue;
            }
            var request = new NewDataAccessRequest(hit.get().id(), organiser.id(), AttributePackage.SMALL, Set.of(),
                    "Inloggning och klasslistor för lärare", "Uppgift av allmänt intresse (GDPR art. 6.1 e)", 30);
            DataAccessAgreement agreement = agreements.file(covered.get(i).id(), request, "demo");
            if (filed == 0) {
                agreements.approve(agreement.id(), null, null, "demo");
                signInOneClass(organiser, agreement.productId());
            }
            filed++;
        }
        log.info("Loaded {} demo data-access requests", filed);
    }

    private void signInOneClass(OrganisationBrowser.Organisation organiser, java.util.UUID productId) {
        LocalDate today = LocalDate.now();
        directory.children(organiser.id()).stream().flatMap(unit -> directory.groups(unit.id()).stream())
                .filter(g -> "CLASS".equals(g.kind())).findFirst().ifPresent(group -> {
                    pools.create(new NewPool(productId, organiser.id(), organiser.id(), 100, today, today.plusYears(1), false, null, "demo"),
                            List.of(Selector.group(group.id())), true);
                    List<java.util.UUID> holders = licences.holders(productId, today);
                    policy.releaseAll(holders, productId, Channel.SSO_ID_TOKEN);
                    log.info("Demo: {} members of {} signed in once", holders.size(), group.name());
                    events.publishEvent(new DemoClassLicensed(productId, group.name(), holders));
                });
    }
}
