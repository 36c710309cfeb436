package org.tilldela.provisioning.cli;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.springframework.context.ConfigurableApplicationContext;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Product;
import org.tilldela.licensing.Licences;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.ledger.Channel;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.platform.CommandContext;
import org.tilldela.sso.SignInClients;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

/**
 * The roster API as a supplier's system uses it, over loopback: a generated municipality of N persons,
 * every pupil and member of staff licensed for one product under an approved MEDIUM agreement, a roster
 * client with a client-credentials token — then pages of users (first fetch: every release a new ledger
 * record; second: repeats counted on the holdings), pages of enrollments, and delta queries
 * ({@code dateLastModified>…}, which must look at every licence holder). Pages one after another, as one
 * client fetches.
 */
@Command(name = "roster", mixinStandardHelpOptions = true, description = {
        "Generates and imports N persons (embedded database under --work-dir), licenses them all for one product, and",
        "times OneRoster 1.2 roster pages over loopback with a client-credentials token."})
public class RosterBenchmarkCommand implements Callable<Integer> {

    static final String CORE_SCOPE = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly";
    static final String BASE = "/ims/oneroster/rostering/v1p2";

    @Option(names = "--persons", defaultValue = "100000", description = "Persons to generate (default ${DEFAULT-VALUE}).")
    int persons;

    @Option(names = "--pages", defaultValue = "300", description = "Pages of users to fetch per pass (default ${DEFAULT-VALUE}; 0: all).")
    int pages;

    @Option(names = "--limit", defaultValue = "100", description = "Records per page (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--port", defaultValue = "8093", description = "Loopback port of the server under test (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--work-dir", defaultValue = "target/benchmark-roster", description = "Where files and the database go (emptied first).")
    Path workDir;

    // Made when the benchmark runs, not with the object: picocli makes an object of every command to parse any command
    // line, and an HTTP client (TLS set up) and a JSON mapper cost every other command's start over half a second.
    private HttpClient http;
    private JsonMapper json;

    @Override
    public Integer call() throws Exception {
        http = HttpClient.newHttpClient();
        json = JsonMapper.builder().build();
        BenchmarkMunicipality.load(workDir, persons);
        String base = "http://127.0.0.1:" + port;
        ConfigurableApplicationContext server = CommandContext.startServer(List.of("--server.port=" + port, "--server.address=127.0.0.1",
                "--tilldela.base-url=" + base, "--tilldela.demo=false", "--tilldela.bootstrap.enabled=false", "--tilldela.licensing.follow-directory=false",
                "--tilldela.licensing.sweep.enabled=false"));
        try {
            long t = System.nanoTime();
            UUID product = setUp(server);
            System.out.printf("licensed, agreement approved, in %.1f s%n", (System.nanoTime() - t) / 1e9);
            SignInClients.Registration client = server.getBean(SignInClients.class).registerSystemClient(product, "Roster benchmark", Set.of(CORE_SCOPE),
                    "benchmark");
            String token = token(base, client);

            System.out.println();
            System.out.println("| what | pages | records | wall time | pages/s | records/s |");
            System.out.println("|---|---:|---:|---:|---:|---:|");
            walk(base, token, "/users", "users", "users, first fetch (new ledger records)");
            walk(base, token, "/users", "users", "users, second fetch (repeats counted on holdings)");
            walk(base, token, "/enrollments", "enrollments", "enrollments");
            String since = Instant.now().minusSeconds(3600).toString();
            timeSingle(base, token, "/users?limit=" + limit + "&filter=" + URLEncoder.encode("dateLastModified>'" + since + "'", StandardCharsets.UTF_8),
                    "users", "delta: dateLastModified> an hour ago (first page)", 5);
            timeSingle(base, token, "/classes?limit=" + limit, "classes", "classes (first page)", 5);
            whereTheTimeGoes(server, product);
        } finally {
            server.close();
        }
        return 0;
    }

    /** A supplier with a processing agreement, a product declaring what a roster needs, an approved MEDIUM agreement, and everyone licensed. */
    private UUID setUp(ConfigurableApplicationContext server) {
        BenchmarkMunicipality.Licensed licensed = BenchmarkMunicipality.license(server, new BenchmarkMunicipality.Offer("BENCH-ROSTER", "Digital matematik",
                "Matematik", Product.AccessMethod.ROSTER_PULL, List.of(Attribute.PSEUDONYMOUS_ID, Attribute.SCHOOL_UNIT, Attribute.GROUPS, Attribute.ROLES,
                Attribute.GRADE, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME, Attribute.EMAIL), "klasslistor", "Klasslistor"), persons * 2);
        System.out.printf("licence holders: %,d%n", licensed.holders());
        return licensed.product();
    }

    /** The parts of a users page, in-process (the releases here are recorded like any: this database is the benchmark's own). */
    private void whereTheTimeGoes(ConfigurableApplicationContext server, UUID product) {
        Licences licences = server.getBean(Licences.class);
        ReleasePolicy policy = server.getBean(ReleasePolicy.class);
        List<UUID> holders = licences.holders(product, LocalDate.now());
        List<UUID> page = holders.subList(holders.size() / 2, holders.size() / 2 + Math.min(limit, holders.size() / 2));
        System.out.println();
        System.out.println("Where a users page's time goes (in-process, median of 5):");
        System.out.printf("  licence holders of the product (%,d ids): %.0f ms%n", holders.size(), median(() -> licences.holders(product, LocalDate.now())));
        System.out.printf("  names-only decision for a page of %d: %.0f ms%n", page.size(), median(() -> policy.permittedAll(page, product)));
        TransactionTemplate tx = new TransactionTemplate(server.getBean(PlatformTransactionManager.class));
        System.out.printf("  releaseAll of a page of %d, ledger included: %.0f ms%n", page.size(),
                median(() -> tx.execute(s -> policy.releaseAll(page, product, Channel.ROSTER_PULL))));
    }

    private static double median(Runnable work) {
        double[] ms = new double[5];
        for (int i = 0; i < ms.length; i++) {
            long t = System.nanoTime();
            work.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        java.util.Arrays.sort(ms);
        return ms[2];
    }

    private String token(String base, SignInClients.Registration client) throws Exception {
        String basic = Base64.getEncoder().encodeToString((client.clientId() + ":" + client.clientSecret()).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
                .header("Authorization", "Basic " + basic).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=" + URLEncoder.encode(CORE_SCOPE, StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("token request refused: " + response.body());
        }
        return (String) json.readValue(response.body(), Map.class).get("access_token");
    }

    /** Pages one after another, as one client fetches a collection. */
    private void walk(String base, String token, String path, String collection, String label) throws Exception {
        long records = 0;
        int fetched = 0;
        long t = System.nanoTime();
        for (int offset = 0; ; offset += limit) {
            HttpResponse<String> page = get(base + BASE + path + "?limit=" + limit + "&offset=" + offset, token);
            int n = ((List<?>) json.readValue(page.body(), Map.class).get(collection)).size();
            records += n;
            fetched++;
            int total = Integer.parseInt(page.headers().firstValue("X-Total-Count").orElse("0"));
            if (offset + limit >= total || (pages > 0 && fetched >= pages)) {
                break;
            }
        }
        double s = (System.nanoTime() - t) / 1e9;
        System.out.printf("| %s | %,d | %,d | %.1f s | %.1f | %,.0f |%n", label, fetched, records, s, fetched / s, records / s);
    }

    private void timeSingle(String base, String token, String pathAndQuery, String collection, String label, int times) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        long t = System.nanoTime();
        for (int i = 0; i < times; i++) {
            sizes.add(((List<?>) json.readValue(get(base + BASE + pathAndQuery, token).body(), Map.class).get(collection)).size());
        }
        double s = (System.nanoTime() - t) / 1e9;
        System.out.printf("| %s | %d | %,d | %.1f s | %.1f | %,.0f |%n", label, times, sizes.stream().mapToLong(Integer::longValue).sum(), s, times / s,
                sizes.stream().mapToLong(Integer::longValue).sum() / s);
    }

    private HttpResponse<String> get(String uri, String token) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(uri)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(uri + " answered " + response.statusCode() + ": " + response.body());
        }
        return response;
    }
}
