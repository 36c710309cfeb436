package org.tilldela.provisioning.cli;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Product;
import org.tilldela.ledger.Channel;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.NewPool;
import org.tilldela.platform.CommandContext;
import org.tilldela.provisioning.Connector;
import org.tilldela.provisioning.Connectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The SCIM push as it runs: a generated municipality, N pupils and staff licensed for one product under an approved
 * MEDIUM agreement (names, e-mail, school unit, groups, roles go), then a connector to a supplier's SCIM service on
 * loopback ({@link SupplierScimServer}, with or without Bulk) is created — which queues a SYNC for every licence
 * holder — and the server's own workers push them all: every user through the release policy and the disclosure
 * ledger, made at the supplier with their groups. Then, at idle, single licence grants one at a time: the time
 * from the grant to the user existing at the supplier.
 */
@Command(name = "push", mixinStandardHelpOptions = true, description = {
        "Generates and imports a municipality (embedded database under --work-dir), licenses N users for one product, and",
        "times the SCIM push of all of them to a local SCIM server (with Bulk, or --no-bulk), then the latency of single grants."})
public class PushBenchmarkCommand implements Callable<Integer> {

    @Option(names = "--users", defaultValue = "100000", description = "Licence holders to push (default ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--no-bulk", description = "The SCIM server offers no Bulk: every operation is sent on its own.")
    boolean noBulk;

    @Option(names = "--max-operations", defaultValue = "1000", description = "The SCIM server's Bulk maxOperations (default ${DEFAULT-VALUE}).")
    int maxOperations;

    @Option(names = "--max-payload", defaultValue = "1048576", description = "The SCIM server's Bulk maxPayloadSize in bytes (default ${DEFAULT-VALUE}).")
    long maxPayload;

    @Option(names = "--grants", defaultValue = "50", description = "Single licence grants timed at idle (default ${DEFAULT-VALUE}).")
    int grants;

    @Option(names = "--property", description = "A setting for the server, name=value (e.g. tilldela.provisioning.per-connector-concurrency=4); repeatable.")
    List<String> properties = new java.util.ArrayList<>();

    @Option(names = "--port", defaultValue = "8094", description = "Loopback port of the Tilldela server (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--work-dir", defaultValue = "target/benchmark-push", description = "Where files and the database go (emptied first).")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        // pupils and staff are about 55% of a generated municipality's persons; the rest are guardians
        BenchmarkMunicipality.load(workDir, (int) Math.ceil((users + grants) / 0.5) + 1000);
        List<String> arguments = new java.util.ArrayList<>(List.of("--server.port=" + port, "--server.address=127.0.0.1",
                "--tilldela.base-url=http://127.0.0.1:" + port, "--tilldela.demo=false", "--tilldela.bootstrap.enabled=false",
                "--tilldela.licensing.follow-directory=false", "--tilldela.licensing.sweep.enabled=false",
                // the supplier runs on loopback, which connectors may reach only when it is listed by name
                "--tilldela.provisioning.allowed-hosts=127.0.0.1:*"));
        properties.forEach(p -> arguments.add("--" + p));
        if (!properties.isEmpty()) {
            System.out.printf("server settings: %s%n", String.join(", ", properties));
        }
        ConfigurableApplicationContext server = CommandContext.startServer(arguments);
        try (SupplierScimServer supplier = new SupplierScimServer("bench-" + UUID.randomUUID(), !noBulk, maxOperations, maxPayload)) {
            JdbcClient jdbc = server.getBean(JdbcClient.class);
            long t = System.nanoTime();
            Setup setup = setUp(server);
            System.out.printf("licence holders: %,d (licensed, agreement approved, in %.1f s)%n", setup.holders(), (System.nanoTime() - t) / 1e9);
            System.out.printf("SCIM server: %s%n", noBulk ? "no Bulk (one request per operation)"
                    : "Bulk, maxOperations " + maxOperations + ", maxPayloadSize " + maxPayload + " bytes");

            // the initial cycle: the connector's creation queues a SYNC for every licence holder
            long start = System.nanoTime();
            Connector connector = server.getBean(Connectors.class).create(new Connector.Settings(setup.supplier(), "Benchmark SCIM", supplier.baseUrl(),
                    Connector.Auth.BEARER, supplier.token(), null, null, null, List.of("User", "Group"), List.of(setup.product()), true), "benchmark");
            long waiting;
            long lastPrint = System.nanoTime();
            do {
                Thread.sleep(200);
                waiting = jdbc.sql("select count(*) from provisioning_operation where connector_id = :c and state in ('PENDING', 'IN_FLIGHT')")
                        .param("c", connector.id()).query(Long.class).single();
                if (System.nanoTime() - lastPrint > 10e9) {
                    System.out.printf("  … %,d waiting, %,d users at the supplier%n", waiting, supplier.userCount());
                    lastPrint = System.nanoTime();
                }
            } while (waiting > 0);
            double seconds = (System.nanoTime() - start) / 1e9;
            long done = jdbc.sql("select count(*) from provisioning_operation where connector_id = :c and state = 'DONE'").param("c", connector.id())
                    .query(Long.class).single();
            long dead = jdbc.sql("select count(*) from provisioning_operation where connector_id = :c and state = 'DEAD'").param("c", connector.id())
                    .query(Long.class).single();
            long memberships = jdbc.sql("select count(*) from provisioned_membership where connector_id = :c").param("c", connector.id())
                    .query(Long.class).single();
            long disclosures = jdbc.sql("select count(*) from disclosure where product_id = :q and channel = 'SCIM_PUSH'").param("q", setup.product())
                    .query(Long.class).single();
            System.out.println();
            System.out.println("| what | value |");
            System.out.println("|---|---:|");
            System.out.printf("| operations done / dead | %,d / %,d |%n", done, dead);
            System.out.printf("| users at the supplier | %,d |%n", supplier.userCount());
            System.out.printf("| groups at the supplier / memberships | %,d / %,d |%n", supplier.groupCount(), memberships);
            System.out.printf("| disclosure ledger records (SCIM push) | %,d |%n", disclosures);
            System.out.printf("| HTTP requests to the supplier | %s |%n", supplier.requests());
            System.out.printf("| wall time, connector created → queue empty | %.1f s |%n", seconds);
            System.out.printf("| **outbox operations/s** (one per licence holder: the user with all its groups) | **%,.0f** |%n", done / seconds);
            // the operations the issue names — create user, add group membership — plus the groups made for them
            long scimOperations = supplier.userCount() + supplier.groupCount() + memberships;
            System.out.printf("| **SCIM operations/s** (%,d users created + %,d groups created + %,d memberships added) | **%,.0f** |%n",
                    supplier.userCount(), supplier.groupCount(), memberships, scimOperations / seconds);
            System.out.printf("| supplier's request handling (library + store), summed over its threads | %.1f s |%n", supplier.handlingNanos() / 1e9);

            latency(server, setup, supplier);
            whereTheTimeGoes(server, setup);
        } finally {
            server.close();
        }
        return 0;
    }

    private record Setup(UUID supplier, UUID product, UUID organiser, long holders, List<UUID> spare) {
    }

    /** As the roster benchmark: a supplier with a processing agreement, a product, an approved MEDIUM agreement, N licence holders. */
    private Setup setUp(ConfigurableApplicationContext server) {
        // N seats for every pupil and member of staff: the first N get one, the rest are shortfall
        BenchmarkMunicipality.Licensed licensed = BenchmarkMunicipality.license(server, new BenchmarkMunicipality.Offer("BENCH-PUSH", "Digital svenska",
                "Svenska", Product.AccessMethod.OPENID_CONNECT, List.of(Attribute.PSEUDONYMOUS_ID, Attribute.SCHOOL_UNIT, Attribute.GROUPS, Attribute.ROLES,
                Attribute.GIVEN_NAME, Attribute.FAMILY_NAME, Attribute.EMAIL), "konton och klasser", "Konton"), users);
        List<UUID> spare = server.getBean(JdbcClient.class).sql("""
                        select distinct e.person_id from enrolment e join person p on p.id = e.person_id
                        where p.protection = 'NONE' and not exists (select 1 from licence_assignment l where l.person_id = e.person_id)
                        order by e.person_id limit :n
                        """).param("n", grants).query(UUID.class).list();
        return new Setup(licensed.supplier(), licensed.product(), licensed.organiser(), licensed.holders(), spare);
    }

    /** At idle: one licence granted at a time (a direct assignment), and the time until the user exists at the supplier. */
    private void latency(ConfigurableApplicationContext server, Setup setup, SupplierScimServer supplier) throws InterruptedException {
        LicencePools pools = server.getBean(LicencePools.class);
        UUID pool = pools.create(new NewPool(setup.product(), setup.organiser(), setup.organiser(), grants, LocalDate.now().minusDays(1),
                LocalDate.now().plusYears(1), false, null, "benchmark"));
        List<Double> ms = new ArrayList<>();
        for (UUID person : setup.spare()) {
            int before = supplier.userCount();
            long t = System.nanoTime();
            pools.assignDirect(pool, List.of(person), "benchmark");
            long deadline = t + 60_000_000_000L;
            while (supplier.userCount() == before && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            ms.add((System.nanoTime() - t) / 1e6);
            Thread.sleep(300); // idle between grants
        }
        double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.println();
        System.out.printf("Licence granted → user at the supplier, %d single grants at idle (poll interval as configured): p50 %.0f ms, p95 %.0f ms, "
                + "p99 %.0f ms, max %.0f ms%n", sorted.length, pct(sorted, 50), pct(sorted, 95), pct(sorted, 99), sorted[sorted.length - 1]);
    }

    private static double pct(double[] sorted, int p) {
        return sorted[org.tilldela.platform.Percentiles.nearestRank(sorted.length, p)];
    }

    /** The release policy and ledger for one claim's worth of persons, in-process (median of 5). */
    private void whereTheTimeGoes(ConfigurableApplicationContext server, Setup setup) {
        ReleasePolicy policy = server.getBean(ReleasePolicy.class);
        List<UUID> all = server.getBean(org.tilldela.licensing.Licences.class).holders(setup.product(), LocalDate.now());
        List<UUID> holders = all.subList(0, Math.min(500, all.size()));
        TransactionTemplate tx = new TransactionTemplate(server.getBean(PlatformTransactionManager.class));
        double[] ms = new double[5];
        for (int i = 0; i < ms.length; i++) {
            long t = System.nanoTime();
            tx.execute(s -> policy.releaseAll(holders, setup.product(), Channel.SCIM_PUSH));
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf("releaseAll of %d licence holders, ledger included (one claim's worth with Bulk): %.0f ms (median of 5)%n", holders.size(), ms[2]);
    }
}
