package org.tilldela.provisioning.cli;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.access.AttributePackage;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.access.NewDataAccessRequest;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.directory.cli.GenerateCommand;
import org.tilldela.directory.cli.ImportCommand;
import org.tilldela.licensing.AssignmentEngine;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.NewPool;
import org.tilldela.licensing.Selector;
import org.tilldela.platform.CommandContext;
import org.tilldela.purchase.DataPolicies;
import picocli.CommandLine;

/**
 * What the provisioning benchmarks (roster pages, SCIM push) start from: a generated municipality loaded by the
 * directory's own generate and import commands, so the data is what an administrator would load, and one product of
 * one supplier licensed for its pupils and staff under an approved agreement.
 */
final class BenchmarkMunicipality {

    private BenchmarkMunicipality() {
    }

    /**
     * Empties the work directory, generates {@code persons} persons (seed 1) and imports them as source "benchmark"; the
     * import's context is closed before the server starts on the same data directory.
     */
    static void load(Path workDir, int persons) throws java.io.IOException {
        CommandContext.useEmptyWorkDirectory(workDir);
        Path zip = workDir.resolve("municipality.zip");
        System.out.printf("cores: %d, max heap: %,d MB, java %s%n", Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.version"));
        execute(new GenerateCommand(), "--persons", String.valueOf(persons), "--seed", "1", "--out", zip.toString());
        long t = System.nanoTime();
        execute(new ImportCommand(), "oneroster", zip.toString(), "--source", "benchmark");
        CommandContext.close();
        System.out.printf("imported %,d persons in %.1f s%n", persons, (System.nanoTime() - t) / 1e9);
    }

    private static void execute(Object command, String... args) {
        int status = new CommandLine(command).execute(args);
        if (status != 0) {
            throw new IllegalStateException(command.getClass().getSimpleName() + " ended with status " + status);
        }
    }

    /** The product as the benchmark sells it: its article number, title, subject, how it is reached, and what it declares it needs and why. */
    record Offer(String article, String title, String subject, Product.AccessMethod access, List<Attribute> declared, String need, String purpose) {
    }

    /** The licensed product at the benchmark's organiser, and how many licence holders it got. */
    record Licensed(UUID organiser, UUID supplier, UUID product, long holders) {
    }

    /**
     * A supplier with a processing agreement for the organiser, the offered product, an approved MEDIUM agreement (the
     * organiser's data protection officer allows what the product declares, so its pool needs no approved order), and
     * a pool of {@code seats} for every pupil and member of staff, assigned by the engine.
     */
    static Licensed license(ConfigurableApplicationContext server, Offer offer, int seats) {
        JdbcClient jdbc = server.getBean(JdbcClient.class);
        UUID organiser = jdbc.sql("select id from organisation where source = 'benchmark' and kind = 'ORGANISER' order by name limit 1")
                .query(UUID.class).single();
        Catalog catalog = server.getBean(Catalog.class);
        UUID supplier = UUID.randomUUID();
        catalog.save(new Supplier(supplier, "Benchmark Förlag AB", "556000-0002", "SE", Set.of("SE"), List.of(),
                List.of(new Supplier.ProcessingAgreement(UUID.randomUUID(), "pub-avtal.pdf", LocalDate.now().minusYears(1), LocalDate.now().plusYears(2),
                        Set.of(organiser))),
                new Supplier.Contact("Bench", "bench@example.org", null)));
        UUID product = UUID.randomUUID();
        catalog.save(new Product(product, offer.article(), supplier, offer.title(), "", Product.Kind.DIGITAL, List.of("GR", "GY"), List.of(),
                List.of(offer.subject()), Product.LicenceModel.PER_USER, 12, new BigDecimal("100.00"), "SEK", null, offer.access(),
                offer.declared().stream().map(a -> new Product.DataNeed(a, offer.need(), 30, Set.of("SE"))).toList()));
        DataAccessAgreements agreements = server.getBean(DataAccessAgreements.class);
        var filed = agreements.file(supplier, new NewDataAccessRequest(product, organiser, AttributePackage.MEDIUM, Set.of(), offer.purpose(),
                "Uppgift av allmänt intresse (GDPR art. 6.1 e)", 30), "benchmark");
        agreements.approve(filed.id(), null, null, "benchmark");
        server.getBean(DataPolicies.class).set(organiser, Set.copyOf(offer.declared()), "benchmark");
        LocalDate start = LocalDate.now().minusDays(1);
        server.getBean(LicencePools.class).create(new NewPool(product, organiser, organiser, seats, start, start.plusYears(1), false, null, "benchmark"),
                List.of(Selector.organisation(organiser, "PUPIL"), Selector.organisation(organiser, "STAFF")), false);
        AssignmentEngine.EngineRun run = server.getBean(AssignmentEngine.class).recomputeAll();
        return new Licensed(organiser, supplier, product, run.granted());
    }
}
