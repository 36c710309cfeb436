package org.tilldela.licensing.cli;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.directory.cli.GenerateCommand;
import org.tilldela.directory.cli.ImportCommand;
import org.tilldela.licensing.AssignmentEngine;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.NewPool;
import org.tilldela.licensing.Selector;
import org.tilldela.platform.CommandContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The assignment engine over a generated municipality: imports it, creates pools with rules over its real
 * units, grades, roles and groups, times a full recompute from nothing, then imports a "next day" file and
 * times following it. Uses the directory's own generate and import commands, so the data is what an
 * administrator would load.
 */
@Command(name = "licensing", mixinStandardHelpOptions = true, description = {
        "Generates and imports N persons (embedded database under --work-dir), creates --rules assignment rules over",
        "real units, grades, roles and groups, times a full recompute, then imports a --vary percent changed file",
        "and times the incremental update."})
public class LicensingBenchmarkCommand implements Callable<Integer> {

    @Option(names = "--persons", defaultValue = "1000000", description = "Persons to generate (default ${DEFAULT-VALUE}).")
    int persons;

    @Option(names = "--rules", defaultValue = "5000", description = "Assignment rules to create (default ${DEFAULT-VALUE}).")
    int rules;

    @Option(names = "--vary", defaultValue = "1", description = "Percent of persons changed in the next-day file (default ${DEFAULT-VALUE}).")
    double vary;

    @Option(names = "--work-dir", defaultValue = "target/benchmark-licensing", description = "Where files and the database go (emptied first).")
    Path workDir;

    private static final String ACTOR = "benchmark";

    @Override
    public Integer call() throws Exception {
        CommandContext.useEmptyWorkDirectory(workDir);
        Path full = workDir.resolve("municipality.zip");
        Path next = workDir.resolve("municipality-next-day.zip");
        execute(new GenerateCommand(), "--persons", String.valueOf(persons), "--seed", "1", "--out", full.toString());
        execute(new GenerateCommand(), "--persons", String.valueOf(persons), "--seed", "1", "--vary", String.valueOf(vary), "--out", next.toString());
        // The engine is timed by itself: it does not follow imports on its own here, nor sweep at night.
        CommandContext.addArgument("--tilldela.licensing.follow-directory=false");
        CommandContext.addArgument("--tilldela.licensing.sweep.enabled=false");
        System.out.printf("cores: %d, max heap: %,d MB, java %s%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"));

        long t = System.nanoTime();
        execute(new ImportCommand(), "oneroster", full.toString(), "--source", "benchmark");
        quiesce();
        System.out.printf("imported %,d persons in %.1f s%n", persons, (System.nanoTime() - t) / 1e9);

        t = System.nanoTime();
        int created = setUp();
        System.out.printf("created %,d rules in %.1f s%n", created, (System.nanoTime() - t) / 1e9);

        AssignmentEngine engine = CommandContext.bean(AssignmentEngine.class);
        System.out.println();
        System.out.println("| run | wall time | pools | selectors | matches | granted | ended | to grace | without a seat "
                + "| a buyer's wait for a pool meanwhile: median, p99, max (tries) |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        print("full recompute from nothing", engine::recomputeAll);
        print("full recompute, nothing changed", engine::recomputeAll);

        execute(new ImportCommand(), "oneroster", next.toString(), "--source", "benchmark");
        quiesce();
        print("incremental after " + vary + "% changed import", engine::catchUp);
        AssignmentEngine.EngineRun check = print("full recompute after it (must change nothing)", engine::recomputeAll);
        List<LicencePools.Pool> pools = CommandContext.bean(LicencePools.class).list(1_000_000);
        System.out.println();
        System.out.printf("pools: %,d; seats held: %,d; persons without a seat: %,d%n", pools.size(),
                pools.stream().mapToLong(LicencePools.Pool::seatsUsed).sum(), pools.stream().mapToLong(LicencePools.Pool::shortfall).sum());
        boolean consistent = check.granted() + check.ended() + check.toGrace() + check.revived() == 0;
        System.out.println(consistent ? "incremental update and full recompute agree" : "MISMATCH: the full recompute changed what the incremental update left");
        return consistent ? 0 : 2;
    }

    /**
     * Products and pools over the municipality: one organiser-wide pool (every pupil, every member of
     * staff), per compulsory school a per-user pool for grades 7–9 and their teachers (seats a little
     * short, so shortfall is recorded), per upper secondary school an unlimited pool, and group rules on
     * teaching groups for the rest of the rule budget.
     */
    private int setUp() {
        Catalog catalog = CommandContext.bean(Catalog.class);
        OrganisationBrowser browser = CommandContext.bean(OrganisationBrowser.class);
        LicencePools pools = CommandContext.bean(LicencePools.class);
        UUID supplierId = UUID.randomUUID();
        catalog.save(new Supplier(supplierId, "Benchmark Förlag AB", "556000-0001", "SE", Set.of("SE"), List.of(), List.of(),
                new Supplier.Contact("Bench", "bench@example.org", null)));
        UUID base = product(catalog, supplierId, "BENCH-BASE", "Digital bas", Product.LicenceModel.PER_ORGANISER);
        UUID maths = product(catalog, supplierId, "BENCH-MA79", "Matematik 7–9", Product.LicenceModel.PER_USER);
        UUID library = product(catalog, supplierId, "BENCH-GYLIB", "Gymnasiebiblioteket", Product.LicenceModel.PER_SCHOOL_UNIT);
        UUID english = product(catalog, supplierId, "BENCH-EN", "Engelska", Product.LicenceModel.PER_USER);

        OrganisationBrowser.Organisation organiser = browser.roots().stream().filter(o -> o.source().equals("benchmark")).findFirst().orElseThrow();
        List<OrganisationBrowser.Organisation> units = browser.children(organiser.id());
        LocalDate start = LocalDate.now().withDayOfYear(1);
        LocalDate end = start.plusYears(1).minusDays(1);
        int budget = rules;
        pools.create(new NewPool(base, organiser.id(), organiser.id(), null, start, end, false, null, ACTOR),
                List.of(Selector.organisation(organiser.id(), "PUPIL"), Selector.organisation(organiser.id(), "STAFF")), false);
        budget -= 2;
        for (OrganisationBrowser.Organisation unit : units) {
            if (budget < 4) {
                break;
            }
            if (unit.schoolForms().contains("GR")) {
                int seats = (int) (unit.pupils() * 3 / 10 + unit.staff() - 3);
                pools.create(new NewPool(maths, organiser.id(), unit.id(), Math.max(seats, 1), start, end, false, null, ACTOR), List.of(
                        Selector.gradeAtUnit(unit.id(), "07"), Selector.gradeAtUnit(unit.id(), "08"), Selector.gradeAtUnit(unit.id(), "09"),
                        Selector.roleAtUnit(unit.id(), "TEACHER")), false);
                budget -= 4;
            } else if (unit.schoolForms().contains("GY")) {
                pools.create(new NewPool(library, organiser.id(), unit.id(), null, start, end, false, null, ACTOR),
                        List.of(Selector.allPupilsAtUnit(unit.id()), Selector.roleAtUnit(unit.id(), null)), false);
                budget -= 2;
            }
        }
        for (OrganisationBrowser.Organisation unit : units) {
            if (budget <= 0) {
                break;
            }
            if (!unit.schoolForms().contains("GR")) {
                continue;
            }
            List<Selector> groupRules = new ArrayList<>();
            for (OrganisationBrowser.Group g : browser.groups(unit.id())) {
                if (g.kind().equals("TEACHING_GROUP") && groupRules.size() < budget) {
                    groupRules.add(Selector.group(g.id(), "PUPIL"));
                }
            }
            if (!groupRules.isEmpty()) {
                pools.create(new NewPool(english, organiser.id(), unit.id(), groupRules.size() * 25, start, end, false, null, ACTOR), groupRules, false);
                budget -= groupRules.size();
            }
        }
        return rules - budget;
    }

    private static UUID product(Catalog catalog, UUID supplier, String article, String title, Product.LicenceModel model) {
        UUID id = UUID.randomUUID();
        catalog.save(new Product(id, article, supplier, title, "", Product.Kind.DIGITAL, List.of("GR", "GY"), List.of(), List.of(), model, 12,
                new BigDecimal("100.00"), "SEK", null, Product.AccessMethod.ROSTER_PULL, List.of()));
        return id;
    }

    /**
     * Runs the engine while a buyer, every 100 ms, takes a random live pool as assigning by hand does (its row
     * {@code FOR NO KEY UPDATE}, in a transaction of its own) and lets go: how long the buyer waited for it is
     * how long the engine held the pools.
     */
    private static AssignmentEngine.EngineRun print(String label, java.util.function.Supplier<AssignmentEngine.EngineRun> engineRun) throws Exception {
        JdbcClient jdbc = CommandContext.bean(JdbcClient.class);
        TransactionTemplate own = new TransactionTemplate(CommandContext.bean(PlatformTransactionManager.class));
        List<UUID> live = jdbc.sql("select id from licence_pool where ends_on >= current_date").query(UUID.class).list();
        List<Long> waits = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread buyer = Thread.ofPlatform().name("benchmark-buyer").start(() -> {
            java.util.Random random = new java.util.Random(1);
            while (running.get()) {
                UUID pool = live.get(random.nextInt(live.size()));
                long t = System.nanoTime();
                own.executeWithoutResult(s -> jdbc.sql("select id from licence_pool where id = :id for no key update").param("id", pool).query(UUID.class).list());
                waits.add(System.nanoTime() - t);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        AssignmentEngine.EngineRun r;
        try {
            r = engineRun.get();
        } finally {
            running.set(false);
            buyer.join();
        }
        List<Long> sorted = waits.stream().sorted().toList();
        String waited = sorted.isEmpty() ? "—" : "%.0f, %.0f, %.0f ms (%d)".formatted(sorted.get(sorted.size() / 2) / 1e6,
                sorted.get(org.tilldela.platform.Percentiles.nearestRank(sorted.size(), 99)) / 1e6, sorted.getLast() / 1e6, sorted.size());
        System.out.printf("| %s | %.1f s | %,d | %,d | %,d | %,d | %,d | %,d | %,d | %s |%n", label, r.millis() / 1000.0, r.pools(), r.selectors(), r.matches(),
                r.granted(), r.ended(), r.toGrace(), r.shortfall(), waited);
        return r;
    }

    /** Waits until other modules' listeners (the ledger's, say) have handled the import, so they do not run while the engine is timed. */
    private static void quiesce() throws InterruptedException {
        // Spring Modulith's own registry table (the framework's, not a module's): what is still to be delivered.
        JdbcClient jdbc = CommandContext.bean(JdbcClient.class);
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (jdbc.sql("select count(*) from event_publication where completion_date is null").query(Long.class).single() > 0
                && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
    }

    private static void execute(Object command, String... args) {
        int status = new CommandLine(command).execute(args);
        if (status != 0) {
            throw new IllegalStateException(command.getClass().getSimpleName() + " " + String.join(" ", args) + " failed with status " + status);
        }
    }
}
