package org.tilldela.directory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.tilldela.directory.generator.MunicipalityGenerator;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.oneroster.OneRosterReader;
import org.tilldela.governance.FirstStartCompleted;

/** On first start, a synthetic demo municipality, imported the way real data is: as a OneRoster package. */
@Component
class DemoMunicipality {

    private static final Logger log = LoggerFactory.getLogger(DemoMunicipality.class);

    private final ImportRuns imports;
    private final boolean enabled;
    private final int persons;
    private final ApplicationEventPublisher events;

    DemoMunicipality(ImportRuns imports, @Value("${tilldela.demo:true}") boolean enabled, @Value("${tilldela.demo.persons:3000}") int persons,
                     ApplicationEventPublisher events) {
        this.imports = imports;
        this.events = events;
        this.enabled = enabled;
        this.persons = persons;
    }

    @EventListener(FirstStartCompleted.class)
    void load() {
        if (!enabled) {
            return;
        }
        try {
            Path zip = Files.createTempFile("tilldela-demo", ".zip");
            try {
                new MunicipalityGenerator(new MunicipalityGenerator.Settings(persons, 2026, "sv", 0, 0)).writeTo(zip);
                var summary = imports.runNow("ONEROSTER", new ImportOptions("demo", false, "first-start"),
                        new OneRosterReader(zip, "demo municipality"), ImportProgress.NONE, "demo municipality");
                log.info("Loaded the demo municipality: {} persons", summary.entities().get("persons").created());
            } finally {
                Files.deleteIfExists(zip);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // other modules' demo data (the catalogue's agreements name organisers) follows the municipality
        events.publishEvent(new DemoMunicipalityLoaded());
    }
}
