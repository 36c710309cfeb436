package org.tilldela.usage.cli;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.access.AttributePackage;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.access.NewDataAccessRequest;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.access.SupplierClients;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.directory.cli.GenerateCommand;
import org.tilldela.directory.cli.ImportCommand;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.ledger.Channel;
import org.tilldela.licensing.AssignmentEngine;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.NewPool;
import org.tilldela.licensing.Selector;
import org.tilldela.platform.CommandContext;
import org.tilldela.purchase.DataPolicies;
import org.tilldela.purchase.BuyerScopes;
import org.tilldela.usage.Utilisation;
import org.tilldela.usage.UtilisationCounts;
import org.tilldela.usage.Viewer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Usage as it runs: a generated municipality, its pupils and staff licensed for a few products of one supplier (each
 * released to it, so the supplier holds their pseudonyms), then (a) the supplier reports N usage rows through the real
 * HTTP endpoint in batches of 10,000 — every day of the last few, every holder and product, as many days as N takes —
 * and (b) the utilisation page, with every section drawn (a product chosen, renewals over a horizon that takes in the
 * pools), is asked for by a licence administrator of the whole installation, and its response times are taken.
 */
@Command(name = "usage", mixinStandardHelpOptions = true, description = {
        "Generates and imports a municipality (embedded database under --work-dir), licenses its pupils and staff for P products,",
        "times the supplier usage API ingesting N rows in batches, then the utilisation page's response times."})
public class UsageBenchmarkCommand implements Callable<Integer> {

    @Option(names = "--rows", defaultValue = "1000000", description = "Usage rows to report (default ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--holders", defaultValue = "20000", description = "Licence holders per product (default ${DEFAULT-VALUE}); rows / (holders x products) days are reported.")
    int holders;

    @Option(names = "--products", defaultValue = "5", description = "Products licensed (default ${DEFAULT-VALUE}).")
    int products;

    @Option(names = "--batch", defaultValue = "10000", description = "Rows per report (default ${DEFAULT-VALUE}, the API's largest).")
    int batch;

    @Option(names = "--senders", defaultValue = "2", description = "Reports sent at the same time (default ${DEFAULT-VALUE}).")
    int senders;

    @Option(names = "--requests", defaultValue = "50", description = "Utilisation page requests timed (default ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--port", defaultValue = "8096", description = "Loopback port of the Tilldela server (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--work-dir", defaultValue = "target/benchmark-usage", description = "Where files and the database go (emptied first).")
    Path workDir;

    private static final String PASSWORD = "usage-benchmark-password-1";

    @Override
    public Integer call() throws Exception {
        System.out.printf("command: benchmark usage --rows %d --holders %d --products %d --batch %d --senders %d --requests %d%n", rows, holders, products,
                batch, senders, requests);
        System.out.printf("machine: %d cores, max heap %,d MB, java %s, %s %s%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"), System.getProperty("os.name"), System.getProperty("os.arch"));
        // pupils and staff are about 55% of a generated municipality's persons; the rest are guardians
        load((int) Math.ceil(holders / 0.5) + 1000);
        ConfigurableApplicationContext server = CommandContext.startServer(List.of("--server.port=" + port, "--server.address=127.0.0.1",
                "--tilldela.base-url=http://127.0.0.1:" + port, "--tilldela.demo=false", "--tilldela.bootstrap.enabled=false",
                "--tilldela.licensing.follow-directory=false", "--tilldela.licensing.sweep.enabled=false", "--tilldela.usage.retention-job.enabled=false"));
        try {
            long t = System.nanoTime();
            Setup setup = setUp(server);
            System.out.printf("set up: %,d products x %,d holders released to the supplier in %.1f s%n", setup.products().size(), setup.persons().size(),
                    (System.nanoTime() - t) / 1e9);
            ingest(server, setup);
            // the supplier's pseudonyms (millions of strings: the client's data, which no server holds) leave the heap before
            // the pages are timed, so that collecting them does not fall on the pages
            setup = new Setup(setup.organiser(), setup.supplier(), setup.products(), setup.persons(), List.of());
            page(server, setup);
        } finally {
            server.close();
        }
        return 0;
    }

    private void load(int persons) throws java.io.IOException {
        CommandContext.useEmptyWorkDirectory(workDir);
        Path zip = workDir.resolve("municipality.zip");
        execute(new GenerateCommand(), "--persons", String.valueOf(persons), "--seed", "1", "--out", zip.toString());
        long t = System.nanoTime();
        execute(new ImportCommand(), "oneroster", zip.toString(), "--source", "benchmark");
        CommandContext.close();
        System.out.printf("municipality: %,d persons generated and imported in %.1f s%n", persons, (System.nanoTime() - t) / 1e9);
    }

    private static void execute(Object command, String... args) {
        int status = new CommandLine(command).execute(args);
        if (status != 0) {
            throw new IllegalStateException(command.getClass().getSimpleName() + " ended with status " + status);
        }
    }

    /** The persons licensed (the same for every product), and the supplier's pseudonym of each, product by product. */
    private record Setup(UUID organiser, UUID supplier, List<UUID> products, List<UUID> persons, List<String[]> pseudonyms) {
    }

    private Setup setUp(ConfigurableApplicationContext server) {
        JdbcClient jdbc = server.getBean(JdbcClient.class);
        UUID organiser = jdbc.sql("select id from organisation where source = 'benchmark' and kind = 'ORGANISER' order by name limit 1")
                .query(UUID.class).single();
        Catalog catalog = server.getBean(Catalog.class);
        UUID supplier = UUID.randomUUID();
        catalog.save(new Supplier(supplier, "Benchmark Förlag AB", "556000-0003", "SE", Set.of("SE"), List.of(),
                List.of(new Supplier.ProcessingAgreement(UUID.randomUUID(), "pub-avtal.pdf", LocalDate.now().minusYears(1), LocalDate.now().plusYears(2),
                        Set.of(organiser))),
                new Supplier.Contact("Bench", "bench@example.org", null)));
        server.getBean(DataPolicies.class).set(organiser, Set.of(Attribute.PSEUDONYMOUS_ID), "benchmark");
        DataAccessAgreements agreements = server.getBean(DataAccessAgreements.class);
        LicencePools pools = server.getBean(LicencePools.class);
        List<UUID> productIds = new ArrayList<>();
        LocalDate start = LocalDate.now().minusDays(200);
        for (int i = 0; i < products; i++) {
            UUID product = UUID.randomUUID();
            catalog.save(new Product(product, "BENCH-USAGE-" + (i + 1), supplier, "Digitalt läromedel " + (i + 1), "", Product.Kind.DIGITAL, List.of("GR"),
                    List.of(), List.of("Svenska"), Product.LicenceModel.PER_USER, 12, new BigDecimal("100.00"), "SEK", null,
                    Product.AccessMethod.OPENID_CONNECT, List.of(new Product.DataNeed(Attribute.PSEUDONYMOUS_ID, "inloggning", 30, Set.of("SE")))));
            var filed = agreements.file(supplier, new NewDataAccessRequest(product, organiser, AttributePackage.MINIMAL, Set.of(), "Inloggning",
                    "Uppgift av allmänt intresse (GDPR art. 6.1 e)", 30), "benchmark");
            agreements.approve(filed.id(), null, null, "benchmark");
            // ending within the page's renewal horizon, so the renewal list has work to do too
            pools.create(new NewPool(product, organiser, organiser, holders, start, LocalDate.now().plusDays(60), false, null, "benchmark"),
                    List.of(Selector.organisation(organiser, "PUPIL"), Selector.organisation(organiser, "STAFF")), false);
            productIds.add(product);
        }
        server.getBean(AssignmentEngine.class).recomputeAll();
        List<UUID> persons = jdbc.sql("select distinct person_id from licence_assignment where state = 'ACTIVE' order by person_id limit :n")
                .param("n", holders).query(UUID.class).list();
        ReleasePolicy policy = server.getBean(ReleasePolicy.class);
        List<String[]> pseudonyms = new ArrayList<>();
        for (UUID product : productIds) {
            Map<UUID, String> byPerson = new HashMap<>();
            for (int from = 0; from < persons.size(); from += 5000) {
                policy.releaseAll(persons.subList(from, Math.min(persons.size(), from + 5000)), product, Channel.SCIM_PUSH)
                        .forEach(r -> byPerson.put(r.personId(), (String) r.values().get(Attribute.PSEUDONYMOUS_ID)));
            }
            pseudonyms.add(persons.stream().map(byPerson::get).toArray(String[]::new));
        }
        return new Setup(organiser, supplier, productIds, persons, pseudonyms);
    }

    /** The supplier reports every holder of every product, day by day back from today, until N rows are sent. */
    private void ingest(ConfigurableApplicationContext server, Setup setup) throws Exception {
        JsonMapper json = server.getBean(JsonMapper.class);
        SupplierClients.Credentials credentials = server.getBean(SupplierClients.class).create(setup.supplier(), "benchmark");
        String auth = "Basic " + Base64.getEncoder().encodeToString((credentials.clientId() + ":" + credentials.secret()).getBytes(StandardCharsets.UTF_8));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/supplier/usage");
        int perDay = setup.persons().size() * setup.products().size();
        if (perDay == 0) {
            throw new IllegalStateException("no licence holders: a larger municipality is needed");
        }
        int days = (int) Math.ceil((double) rows / perDay);
        System.out.printf("data: %,d rows = %,d holders x %d products x %d days (the last day partly), one supplier%n", rows, setup.persons().size(),
                setup.products().size(), days);

        // the first report makes the pseudonym index catch up with the ledger: timed on its own, not as ingest
        long t = System.nanoTime();
        send(http, uri, auth, json, batchOf(setup, 0, 1, LocalDate.now().minusDays(days + 1)));
        System.out.printf("first report (pseudonym index catches up with %,d disclosures): %.1f s%n", perDay, (System.nanoTime() - t) / 1e9);

        int batches = (rows + batch - 1) / batch;
        AtomicInteger next = new AtomicInteger();
        AtomicLong accepted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        List<Double> millis = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        long start = System.nanoTime();
        List<Future<?>> work = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            work.add(pool.submit(() -> {
                for (int b = next.getAndIncrement(); b < batches; b = next.getAndIncrement()) {
                    long first = (long) b * batch;
                    int size = (int) Math.min(batch, rows - first);
                    long bt = System.nanoTime();
                    JsonNode answer = send(http, uri, auth, json, rowsFrom(setup, first, size));
                    millis.add((System.nanoTime() - bt) / 1e6);
                    accepted.addAndGet(answer.get("accepted").asLong());
                    refused.addAndGet(answer.get("refused").asLong());
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get();
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.println();
        System.out.println("| ingest | value |");
        System.out.println("|---|---:|");
        System.out.printf("| rows sent / accepted / refused | %,d / %,d / %,d |%n", rows, accepted.get(), refused.get());
        System.out.printf("| reports of %,d rows, %d at a time | %,d |%n", batch, senders, batches);
        System.out.printf("| wall time | %.1f s |%n", seconds);
        System.out.printf("| **rows/s** (target >= 50,000) | **%,.0f** |%n", rows / seconds);
        System.out.printf("| one report: p50 / p95 | %.0f ms / %.0f ms |%n", pct(sorted, 50), pct(sorted, 95));
        long stored = server.getBean(JdbcClient.class).sql("select count(*) from usage_day").query(Long.class).single();
        System.out.printf("| usage_day rows stored | %,d |%n", stored);
    }

    /** One row of a report as a supplier's client writes it. */
    private record Row(String pseudonym, String productId, String day, int sessions, int activities) {
    }

    /** Row {@code index} of the whole report: day by day back from today, product by product, holder by holder. */
    private List<Row> rowsFrom(Setup setup, long first, int size) {
        List<Row> out = new ArrayList<>(size);
        int perProduct = setup.persons().size();
        int perDay = perProduct * setup.products().size();
        LocalDate today = LocalDate.now();
        Map<Integer, String> dayNames = new HashMap<>();
        for (long i = first; i < first + size; i++) {
            int day = (int) (i / perDay);
            int within = (int) (i % perDay);
            int product = within / perProduct;
            int person = within % perProduct;
            out.add(new Row(setup.pseudonyms().get(product)[person], setup.products().get(product).toString(),
                    dayNames.computeIfAbsent(day, d -> today.minusDays(d).toString()),
                    1 + (int) (i % 3), 2 + (int) (i % 7)));
        }
        return out;
    }

    private List<Map<String, Object>> batchOf(Setup setup, int product, int size, LocalDate day) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            out.add(Map.of("pseudonym", setup.pseudonyms().get(product)[i], "productId", setup.products().get(product).toString(), "day", day.toString(),
                    "sessions", 1));
        }
        return out;
    }

    private static JsonNode send(HttpClient http, URI uri, String auth, JsonMapper json, List<?> rows) throws Exception {
        byte[] body = json.writeValueAsBytes(Map.of("rows", rows));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).header("Authorization", auth).header("Content-Type", "application/json")
                .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("usage report answered " + response.statusCode() + ": " + response.body());
        }
        return json.readTree(response.body());
    }

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]*)\"|value=\"([^\"]*)\"[^>]*name=\"_csrf\"");

    /**
     * The page as a licence administrator of the whole installation opens it, and as the buyer for the organiser (all of
     * the municipality's persons), every section drawn: the default period (the last 30 days: kept when the installation is
     * large, counted on the first visit) and a period chosen (counted on each visit).
     */
    private void page(ConfigurableApplicationContext server, Setup setup) throws Exception {
        String admin = "usage-benchmark-admin";
        String buyer = "usage-benchmark-buyer";
        server.getBean(AdminAccounts.class).create(admin, "Usage benchmark", PASSWORD, EnumSet.of(AdminRight.LICENCE_ADMIN), "benchmark");
        server.getBean(AdminAccounts.class).create(buyer, "Usage benchmark buyer", PASSWORD, EnumSet.of(AdminRight.BUYER), "benchmark");
        server.getBean(BuyerScopes.class).set(buyer, setup.organiser(), "benchmark");
        // autovacuum works through the ingest's rows for a while after it (visibility map, the planner's statistics, which
        // tell the page the installation is large); the application's role may not vacuum tables it does not own, so the
        // benchmark waits for it (at most two minutes) and says how long, and the pages are timed on an installation at rest
        long waited = System.nanoTime();
        JdbcClient db = server.getBean(JdbcClient.class);
        while (System.nanoTime() - waited < Duration.ofMinutes(2).toNanos()
                && db.sql("select count(*) from pg_stat_activity where backend_type = 'autovacuum worker'").query(Long.class).single() > 0) {
            Thread.sleep(500);
        }
        System.out.printf("%nwaited for autovacuum after the ingest: %.1f s%n", (System.nanoTime() - waited) / 1e9);
        // the scheduled recount compares PostgreSQL's counts of changed rows with those read when the figures were counted;
        // a backend reports its counts within ten seconds of going idle, so counting right after the ingest read counts still
        // catching up with it, and the scheduled turn then counted everything again while the pages were timed (run 3 of
        // 4 December): wait until the counts stand still for 11 s (at most two minutes)
        long settling = System.nanoTime();
        UtilisationCounts counts = server.getBean(UtilisationCounts.class);
        for (long before = -1, now = counts.changes(); now != before && System.nanoTime() - settling < Duration.ofMinutes(2).toNanos(); ) {
            Thread.sleep(11_000);
            before = now;
            now = counts.changes();
        }
        System.out.printf("waited for PostgreSQL's counts of changed rows to stand still: %.1f s%n", (System.nanoTime() - settling) / 1e9);
        // the scheduled recount of the kept figures (every 10 minutes when something changed) would count the ingest's rows
        // while the pages are timed: brought up to date here, timed on its own, and the page timed during a recount below
        long recounted = System.nanoTime();
        boolean changed = counts.recountIfChanged(LocalDate.now()).isPresent();
        System.out.printf("kept figures of the last 30 days brought up to date after the ingest (the scheduled recount's work): %s in %.1f s%n",
                changed ? "counted again" : "unchanged", (System.nanoTime() - recounted) / 1e9);
        activity = new Activity(server.getBean(JdbcClient.class));
        long usageRows = server.getBean(JdbcClient.class).sql("select count(*) from usage_day").query(Long.class).single();
        long assignments = server.getBean(JdbcClient.class).sql("select count(*) from licence_assignment").query(Long.class).single();
        String query = "/utilisation?lang=en&product=" + setup.products().getFirst() + "&horizon=90";
        String chosen = query + "&from=" + LocalDate.now().minusDays(29) + "&to=" + LocalDate.now();
        System.out.println();
        System.out.printf("utilisation page: %,d usage_day rows, %,d licence assignments, %,d licence holders per product, %d products%n", usageRows,
                assignments, setup.persons().size(), setup.products().size());
        System.out.println();
        System.out.println("| utilisation page (every section drawn) | first visit | p50 | **p95** (target <= 500 ms) | max |");
        System.out.println("|---|---:|---:|---:|---:|");
        HttpClient adminHttp = signIn(admin);
        timePage(adminHttp, query, "whole installation, last 30 days", requests);
        HttpClient buyerHttp = signIn(buyer);
        timePage(buyerHttp, query, "buyer for the organiser, last 30 days", requests);
        timeChosenPeriod(buyerHttp, chosen, Math.min(requests, 20));
        // the same page while the kept figures are counted again, as every 10 minutes on a busy installation
        long t = System.nanoTime();
        java.util.concurrent.CompletableFuture<Void> recount = java.util.concurrent.CompletableFuture.runAsync(
                () -> server.getBean(UtilisationCounts.class).recount(LocalDate.now()));
        List<Double> whileCounting = new ArrayList<>();
        while (!recount.isDone()) {
            long r = System.nanoTime();
            visit(adminHttp, URI.create("http://127.0.0.1:" + port + query));
            double took = (System.nanoTime() - r) / 1e6;
            if (took > SLOW_MS) {
                // reported with what ran beside it, like the timed rows' (run 6 had one request of 2.6 s here, unexplained)
                activity.slow("whole installation, during the recount", whileCounting.size(), r, System.nanoTime(), took);
            }
            whileCounting.add(took);
        }
        recount.join();
        double[] ms = whileCounting.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf("| whole installation, last 30 days, while the kept figures are counted again (%d requests) | | %.0f ms | **%.0f ms** | %.0f ms |%n",
                ms.length, pct(ms, 50), pct(ms, 95), ms.length == 0 ? 0 : ms[ms.length - 1]);
        activity.close();
        activity.report();
        System.out.printf("%nkept figures counted again (every 10 minutes when something changed, by one node), with the page asked meanwhile: %.1f s%n",
                (System.nanoTime() - t) / 1e9);
        whereTheTimeGoes(server, setup);
    }

    private HttpClient signIn(String user) throws Exception {
        HttpClient http = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10)).build();
        String base = "http://127.0.0.1:" + port;
        String login = http.send(HttpRequest.newBuilder(URI.create(base + "/login")).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = CSRF.matcher(login);
        if (!m.find()) {
            throw new IllegalStateException("no sign-in form");
        }
        String csrf = m.group(1) != null ? m.group(1) : m.group(2);
        String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password=" + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8)
                + "&_csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8);
        HttpResponse<String> signedIn = http.send(HttpRequest.newBuilder(URI.create(base + "/login")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        if (signedIn.statusCode() != 302 || signedIn.headers().firstValue("Location").orElse("error").contains("error")) {
            throw new IllegalStateException("could not sign in: " + signedIn.statusCode());
        }
        return http;
    }

    /** A request slower than this is reported with what else ran meanwhile. */
    private static final double SLOW_MS = 300;

    private Activity activity;

    /**
     * What else the machine did while the pages were timed, sampled every 50 ms: the JVM's garbage collection, and
     * PostgreSQL's backends that were busy (autovacuum, the checkpointer, other queries). A request slower than
     * {@link #SLOW_MS} is reported with the samples taken while it ran, so an outlier comes with its likely cause.
     * Queries appear as their SQL text with parameters as placeholders: no personal data.
     */
    private static final class Activity implements AutoCloseable {

        private record Sample(long at, long gcMillis, String database) {
        }

        private record Slow(String label, int request, long from, long to, double millis) {
        }

        private final List<Sample> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        private final List<Slow> slow = java.util.Collections.synchronizedList(new ArrayList<>());
        private final Thread sampler;
        private volatile boolean running = true;

        Activity(JdbcClient db) {
            sampler = Thread.ofPlatform().daemon().name("benchmark-activity").start(() -> {
                while (running) {
                    long gc = java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                            .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).sum();
                    String busy = String.join("; ", db.sql("""
                                    select backend_type || ': ' || coalesce(wait_event_type || '/' || wait_event || ' ', '') || left(regexp_replace(query, '\\s+', ' ', 'g'), 70)
                                    from pg_stat_activity
                                    where pid <> pg_backend_pid() and (state = 'active' or backend_type in ('autovacuum worker', 'checkpointer'))
                                      and not (backend_type = 'checkpointer' and wait_event = 'CheckpointerMain')
                                    order by 1""").query(String.class).list());
                    samples.add(new Sample(System.nanoTime(), gc, busy));
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        void slow(String label, int request, long from, long to, double millis) {
            slow.add(new Slow(label, request, from, to, millis));
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            sampler.join();
        }

        void report() {
            System.out.printf("%nrequests slower than %.0f ms, and what else ran meanwhile (sampled every 50 ms): %s%n", SLOW_MS, slow.isEmpty() ? "none" : "");
            for (Slow s : slow) {
                List<Sample> during = samples.stream().filter(x -> x.at() >= s.from() && x.at() <= s.to()).toList();
                long gc = during.isEmpty() ? 0 : during.getLast().gcMillis() - during.getFirst().gcMillis();
                Map<String, Long> seen = new LinkedHashMap<>();
                during.forEach(x -> {
                    for (String busy : x.database().split("; ")) {
                        if (!busy.isBlank()) {
                            seen.merge(busy, 1L, Long::sum);
                        }
                    }
                });
                System.out.printf("- %s, request %d: %.0f ms; garbage collection %d ms; %d samples; database busy: %s%n", s.label(), s.request(), s.millis(), gc,
                        during.size(), seen.isEmpty() ? "nothing sampled" : seen.entrySet().stream()
                                .map(e -> e.getKey() + " (x" + e.getValue() + ")").collect(java.util.stream.Collectors.joining(", ")));
            }
        }
    }

    /** The utilisation page as a browser asks for it, every section drawn (or the benchmark stops). */
    private static HttpResponse<String> visit(HttpClient http, URI page) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(page).header("Accept", "text/html").GET().build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200 || !answer.body().contains("id=\"units-table\"") || !answer.body().contains("id=\"renewals-table\"")) {
            throw new IllegalStateException("the utilisation page answered " + answer.statusCode() + " without its tables");
        }
        return answer;
    }

    /** The first visit on its own, then {@code n} more after two to warm up. */
    private void timePage(HttpClient http, String path, String label, int n) throws Exception {
        URI page = URI.create("http://127.0.0.1:" + port + path);
        double first = 0;
        long size = 0;
        double[] ms = new double[n];
        for (int i = -3; i < n; i++) {
            long t = System.nanoTime();
            HttpResponse<String> answer = visit(http, page);
            double took = (System.nanoTime() - t) / 1e6;
            size = answer.body().length();
            if (activity != null && took > SLOW_MS) {
                activity.slow(label, i, t, System.nanoTime(), took);
            }
            if (i == -3) {
                first = took;
            } else if (i >= 0) {
                ms[i] = took;
            }
        }
        Arrays.sort(ms);
        System.out.printf("| %s (%,d kB) | %.0f ms | %.0f ms | **%.0f ms** | %.0f ms |%n", label, size >> 10, first, pct(ms, 50), pct(ms, 95), ms[ms.length - 1]);
    }

    /**
     * A period chosen by the buyer: on a large installation the first visit starts the count in the background and says so;
     * the page asks every few seconds whether it is done (here every 100 ms); then the visits read the count kept.
     */
    private void timeChosenPeriod(HttpClient http, String path, int n) throws Exception {
        String base = "http://127.0.0.1:" + port;
        long t = System.nanoTime();
        HttpResponse<String> first = http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "text/html").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        double firstMs = (System.nanoTime() - t) / 1e6;
        if (first.statusCode() != 200) {
            throw new IllegalStateException("the utilisation page answered " + first.statusCode());
        }
        if (first.body().contains("id=\"counting\"")) {
            System.out.printf("| buyer for the organiser, a period chosen: the first visit, which starts the count and says so | %.0f ms | | | |%n", firstMs);
            URI counting = URI.create(base + path.replace("/utilisation?", "/utilisation/counting?"));
            while (http.send(HttpRequest.newBuilder(counting).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 204) {
                Thread.sleep(100);
            }
            System.out.printf("| the same: counted in the background after | %.1f s | | | |%n", (System.nanoTime() - t) / 1e9);
            timePage(http, path, "the same period chosen again (the count kept)", n);
        } else {
            timePage(http, path, "buyer for the organiser, the same period chosen (counted on the visit)", n);
        }
    }

    /** Each of the page's queries in-process, median of 5. */
    private static void whereTheTimeGoes(ConfigurableApplicationContext server, Setup setup) {
        Utilisation utilisation = server.getBean(Utilisation.class);
        Viewer all = Viewer.everything();
        LocalDate today = LocalDate.now();
        LocalDate from = today.minusDays(29);
        UUID product = setup.products().getFirst();
        Map<String, Runnable> queries = new LinkedHashMap<>();
        queries.put("per product and organisation", () -> utilisation.lines(all, null, from, today));
        queries.put("renewals", () -> utilisation.renewals(all, null, today, 90, from, today));
        queries.put("per school unit (one product)", () -> utilisation.units(all, product, from, today));
        queries.put("over terms", () -> utilisation.terms(all, null, today));
        queries.put("kept: per product and organisation", () -> utilisation.keptLines(all));
        queries.put("kept: renewals", () -> utilisation.keptRenewals(all, null, today, 90));
        queries.put("kept: per school unit (one product)", () -> utilisation.keptUnits(all, product));
        queries.put("kept: over terms", () -> utilisation.keptTerms(all, null, today));
        System.out.println();
        System.out.println("| the page's query | median of 5 |");
        System.out.println("|---|---:|");
        queries.forEach((name, query) -> {
            double[] ms = new double[5];
            for (int i = 0; i < ms.length; i++) {
                long t = System.nanoTime();
                query.run();
                ms[i] = (System.nanoTime() - t) / 1e6;
            }
            Arrays.sort(ms);
            System.out.printf("| %s | %.0f ms |%n", name, ms[2]);
        });
    }

    private static double pct(double[] sorted, int p) {
        return sorted.length == 0 ? 0 : sorted[org.tilldela.platform.Percentiles.nearestRank(sorted.length, p)];
    }
}
