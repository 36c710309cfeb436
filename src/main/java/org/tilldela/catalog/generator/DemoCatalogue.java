package org.tilldela.catalog.generator;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.context.ApplicationEventPublisher;
import org.tilldela.catalog.DemoCatalogueLoaded;
import org.tilldela.catalog.Supplier;
import org.tilldela.directory.DemoMunicipalityLoaded;
import org.tilldela.directory.OrganisationBrowser;

/**
 * On first start, after the demo municipality (whose organisers the agreements cover), a small demo
 * catalogue: five suppliers — Swedish and Danish with valid agreements, one without any, one sending
 * data to a US sub-processor, one whose agreement expired — and about 200 products.
 */
@Component
class DemoCatalogue {

    private static final Logger log = LoggerFactory.getLogger(DemoCatalogue.class);
    static final long SEED = 2026;

    private final CatalogBulkLoad load;
    private final OrganisationBrowser directory;
    private final ApplicationEventPublisher events;
    private final boolean enabled;
    private final int products;

    DemoCatalogue(CatalogBulkLoad load, OrganisationBrowser directory, ApplicationEventPublisher events, @Value("${tilldela.demo:true}") boolean enabled,
                  @Value("${tilldela.demo.products:200}") int products) {
        this.load = load;
        this.directory = directory;
        this.events = events;
        this.enabled = enabled;
        this.products = products;
    }

    @EventListener(DemoMunicipalityLoaded.class)
    void load() {
        if (!enabled) {
            return;
        }
        Set<UUID> organisers = directory.roots().stream().map(OrganisationBrowser.Organisation::id).collect(Collectors.toSet());
        CatalogGenerator generator = new CatalogGenerator(SEED);
        List<Supplier> suppliers = generator.suppliers(CatalogGenerator.demoSuppliers(), organisers, LocalDate.now());
        load.load(suppliers, products, i -> generator.product(i, suppliers));
        log.info("Loaded the demo catalogue: {} suppliers, {} products", suppliers.size(), products);
        events.publishEvent(new DemoCatalogueLoaded());
    }
}
