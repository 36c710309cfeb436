package org.tilldela.sso.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.web.util.HtmlUtils;
import org.tilldela.access.DemoClassLicensed;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.Licences;
import org.tilldela.licensing.NewPool;
import org.tilldela.licensing.Selector;
import org.tilldela.platform.CommandContext;
import org.tilldela.sso.PersonAccounts;
import org.tilldela.sso.SignInClients;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The sign-in benchmark: see {@link SignInBenchmarkCommand} and BENCHMARKS.md, "Sign-in (issue 9)". */
final class SignInBenchmark {

    static final String PASSWORD = "sju glada elefanter";
    static final String REDIRECT = "https://matematik.example/callback";

    record Settings(Path workDir, int port, int seconds, int warmUp, int runs, int codes, int families, int pupils, int signIns, int threads,
                    int connections, String wrk, String keycloak, String keycloakClient, String keycloakSecret, String keycloakUsers,
                    String keycloakPassword, boolean keycloakOnly) {
    }

    /** One wrk measurement: successful answers, their rate, latency percentiles in milliseconds. */
    record Result(long ok, long failed, double perSecond, double p50, double p99) {
        @Override
        public String toString() {
            return String.format("%,8.0f /s   median %6.1f ms   p99 %6.1f ms   (%,d ok, %,d failed)", perSecond, p50, p99, ok, failed);
        }
    }

    private final Settings s;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
    private final JsonMapper json = JsonMapper.builder().build();
    private final String verifier;
    private final String challenge;
    private Path script;

    SignInBenchmark(Settings s, PrintStream out) throws Exception {
        this.s = s;
        this.out = out;
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    }

    /** An OpenID provider under test, with a confidential client and one way for a person to sign in. */
    private abstract class Provider {
        final String name;
        final URI authorize;
        final URI token;
        final String clientId;
        final String authHeader;

        Provider(String name, String issuer, String clientId, String secret) throws Exception {
            this.name = name;
            JsonNode meta = json.readTree(http.send(HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            this.authorize = URI.create(meta.get("authorization_endpoint").asString());
            this.token = URI.create(meta.get("token_endpoint").asString());
            this.clientId = clientId;
            this.authHeader = "Basic " + Base64.getEncoder().encodeToString((URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":"
                    + URLEncoder.encode(secret, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        }

        URI authorizationRequest() {
            return URI.create(authorize + "?" + Browser.form(new LinkedHashMap<>(Map.of("response_type", "code", "client_id", clientId, "scope", "openid",
                    "redirect_uri", REDIRECT, "state", "s" + System.nanoTime(), "nonce", "n" + System.nanoTime(), "code_challenge", challenge,
                    "code_challenge_method", "S256"))));
        }

        /** Signs a person in with a fresh browser; returns the browser (its session) and the first code. */
        abstract Map.Entry<Browser, String> signIn(String username) throws Exception;

        /** Another code for the signed-in browser, without a password. */
        String code(Browser browser) throws Exception {
            return codeOf(Browser.location(browser.get(authorizationRequest())));
        }

        /** Redeems a code (as the product's back end does); returns the token response. */
        JsonNode redeem(String code) throws Exception {
            return tokenRequest("grant_type=authorization_code&code=" + URLEncoder.encode(code, StandardCharsets.UTF_8) + codeBody());
        }

        String codeBody() {
            return "&redirect_uri=" + URLEncoder.encode(REDIRECT, StandardCharsets.UTF_8) + "&code_verifier=" + verifier;
        }

        JsonNode tokenRequest(String body) throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(token).header("Authorization", authHeader)
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(name + " token endpoint: " + r.statusCode() + " " + r.body());
            }
            return json.readTree(r.body());
        }

        String origin() {
            return token.getScheme() + "://" + token.getAuthority();
        }
    }

    private static String codeOf(URI redirect) {
        if (!redirect.toString().startsWith(REDIRECT)) {
            throw new IllegalStateException("expected the product's redirect, got " + redirect);
        }
        Matcher m = Pattern.compile("(?:^|&)code=([^&]+)").matcher(redirect.getRawQuery());
        if (!m.find()) {
            throw new IllegalStateException("no code in " + redirect);
        }
        return java.net.URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
    }

    private final class Tilldela extends Provider {
        Tilldela(String base, String clientId, String secret) throws Exception {
            super("Tilldela", base, clientId, secret);
        }

        @Override
        Map.Entry<Browser, String> signIn(String username) throws Exception {
            Browser b = new Browser(http);
            URI signIn = Browser.location(b.get(authorizationRequest()));
            Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(b.get(signIn).body());
            if (!csrf.find()) {
                throw new IllegalStateException("no sign-in form at " + signIn);
            }
            URI back = Browser.location(b.post(signIn, Map.of("username", username, "password", PASSWORD, "_csrf", HtmlUtils.htmlUnescape(csrf.group(1)))));
            URI next = Browser.location(b.get(back));
            if (next.getPath().equals(org.tilldela.sso.FirstSignInNotice.PATH)) {
                // the first sign-in to a product shows what the school shares; going on posts its form back
                Map<String, String> form = new LinkedHashMap<>();
                Matcher hidden = Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"").matcher(b.get(next).body());
                while (hidden.find()) {
                    form.put(hidden.group(1), HtmlUtils.htmlUnescape(hidden.group(2)));
                }
                next = Browser.location(b.post(authorize, form));
            }
            return Map.entry(b, codeOf(next));
        }
    }

    private final class Keycloak extends Provider {
        private final String password;

        Keycloak(String issuer, String clientId, String secret, String password) throws Exception {
            super("Keycloak", issuer, clientId, secret);
            this.password = password;
        }

        @Override
        Map.Entry<Browser, String> signIn(String username) throws Exception {
            Browser b = new Browser(http);
            Matcher action = Pattern.compile("id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"").matcher(b.get(authorizationRequest()).body());
            if (!action.find()) {
                throw new IllegalStateException("no Keycloak login form");
            }
            URI next = Browser.location(b.post(URI.create(HtmlUtils.htmlUnescape(action.group(1))),
                    Map.of("username", username, "password", password, "credentialId", "")));
            return Map.entry(b, codeOf(next));
        }
    }

    // --- the run ---

    void run() throws Exception {
        long commandStart = System.nanoTime();
        script = Files.createTempFile("token-grants", ".lua");
        try (var in = SignInBenchmark.class.getResourceAsStream("token-grants.lua")) {
            Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        out.printf("cores: %d, java %s, wrk -t%d -c%d%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), s.threads(),
                s.connections());
        // both providers are up at once and their measured rounds take turns (Tilldela, Keycloak, Tilldela, …), so that
        // a change in the machine's other load during the run falls on both alike; only the one being measured works
        Provider keycloak = null;
        if (s.keycloak() != null) {
            keycloak = new Keycloak(s.keycloak(), s.keycloakClient(), s.keycloakSecret(), s.keycloakPassword());
        }
        if (s.keycloakOnly()) {
            if (keycloak != null) {
                measure(keycloak, keycloakUsers());
            }
        } else {
            CommandContext.useEmptyWorkDirectory(s.workDir());
            AtomicReference<DemoClassLicensed> demo = new AtomicReference<>();
            CountDownLatch demoReady = new CountDownLatch(1);
            ApplicationListener<?> listener = CommandContext.onPayload(DemoClassLicensed.class, d -> {
                demo.set(d);
                demoReady.countDown();
            });
            long start = System.nanoTime();
            ConfigurableApplicationContext server = CommandContext.startServer(List.of("--server.port=" + s.port(), "--server.address=127.0.0.1",
                    "--tilldela.base-url=http://127.0.0.1:" + s.port()), listener);
            try {
                if (!demoReady.await(5, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("the demo licensed no class (is tilldela.demo off?)");
                }
                out.printf("Tilldela started with the demo in %.1f s%n", (System.nanoTime() - start) / 1e9);
                SignInClients.Registration client = server.getBean(SignInClients.class).register(demo.get().productId(), "Digital matematik (benchmark)",
                        List.of(REDIRECT), true, "benchmark");
                PersonAccounts accounts = server.getBean(PersonAccounts.class);
                List<UUID> holders = licensedPupils(server, demo.get(), s.pupils());
                List<String> usernames = new ArrayList<>();
                for (int i = 0; i < holders.size(); i++) {
                    String username = "bench." + (i + 1);
                    accounts.setPassword(holders.get(i), username, PASSWORD, "benchmark");
                    usernames.add(username);
                }
                out.printf("data: %s persons in the demo municipality; the demo's class %s and further classes licensed for the product under an"
                        + " approved agreement: %d licence holders with local accounts; one confidential client%n",
                        server.getEnvironment().getProperty("tilldela.demo.persons"), demo.get().className(), usernames.size());
                Provider p = new Tilldela("http://127.0.0.1:" + s.port(), client.clientId(), client.clientSecret());
                Warm tilldela = warm(p, usernames);
                Warm other = keycloak == null ? null : warm(keycloak, keycloakUsers());
                for (int r = 1; r <= s.runs(); r++) {
                    round(tilldela, r);
                    if (other != null) {
                        round(other, r);
                    }
                }
                report(tilldela.results, other == null ? null : other.results);
                morningRush(p, usernames);
            } finally {
                long stop = System.nanoTime();
                server.close();
                out.printf("Tilldela stopped in %.1f s%n", (System.nanoTime() - stop) / 1e9);
            }
        }
        out.printf("%nThe whole command, as a user runs it (fresh JVM, start and stop included): %.0f s%n", (System.nanoTime() - commandStart) / 1e9);
    }

    private List<String> keycloakUsers() {
        List<String> users = new ArrayList<>();
        for (int i = 1; i <= s.pupils(); i++) {
            users.add(s.keycloakUsers() + i);
        }
        return users;
    }

    private void report(Map<String, List<Result>> tilldela, Map<String, List<Result>> keycloak) {
        if (tilldela == null || keycloak == null) {
            return;
        }
        out.println("\nRatio Tilldela / Keycloak (medians of the rounds' rates; the rounds took turns):");
        for (String grant : keycloak.keySet()) {
            double t = median(tilldela.get(grant)), k = median(keycloak.get(grant));
            out.printf("  %-22s %,8.0f /s vs %,8.0f /s   %.2f x%n", grant, t, k, t / k);
        }
        out.println("Ratio of each round (Tilldela's round r against Keycloak's round r, measured one after the other):");
        for (String grant : keycloak.keySet()) {
            List<Result> t = tilldela.get(grant), k = keycloak.get(grant);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < Math.min(t.size(), k.size()); i++) {
                line.append(i == 0 ? "" : ", ").append(String.format("%.2f", t.get(i).perSecond() / k.get(i).perSecond()));
            }
            out.printf("  %-22s %s%n", grant, line);
        }
    }

    private static double median(List<Result> rs) {
        List<Double> v = new ArrayList<>(rs.stream().map(Result::perSecond).toList());
        Collections.sort(v);
        return v.get(v.size() / 2);
    }

    /** A provider after its cold figures and warm-up, ready for measured rounds. */
    private record Warm(Provider p, List<Map.Entry<Browser, String>> sessions, Result warmRefresh, Map<String, List<Result>> results) {
    }

    private Map<String, List<Result>> measure(Provider p, List<String> usernames) throws Exception {
        Warm w = warm(p, usernames);
        for (int r = 1; r <= s.runs(); r++) {
            round(w, r);
        }
        return w.results();
    }

    private Warm warm(Provider p, List<String> usernames) throws Exception {
        out.printf("%n== %s (%s) ==%n", p.name, p.token);
        // one signed-in person per token family, as in a morning rush (a person's own families would queue on
        // their rows: the authorization and the ledger's holding are locked until the refresh commits)
        List<Map.Entry<Browser, String>> sessions = sessions(p, usernames, Math.min(s.pupils(), usernames.size()));
        // cold: right after start, before any warm-up
        out.println("cold (first requests after start):");
        out.println("  refresh grants          " + wrkRun(p, "refresh", families(p, sessions, s.families()), "", 10));
        out.println("  client-credential grants" + wrkRun(p, "static", "-", "grant_type=client_credentials", 10));
        long warm = System.nanoTime();
        int refreshWarm = Math.max(1, s.warmUp() * 2 / 3);
        Result w = wrkRun(p, "refresh", families(p, sessions, s.families()), "", refreshWarm);
        wrkRun(p, "static", "-", "grant_type=client_credentials", Math.max(1, s.warmUp() - refreshWarm));
        out.printf("warm-up: %.0f s (refresh, then client credentials)%n", (System.nanoTime() - warm) / 1e9);
        return new Warm(p, sessions, w, new LinkedHashMap<>());
    }

    private void round(Warm w, int r) throws Exception {
        Provider p = w.p();
        Path codes = codes(p, w.sessions(), s.codes());
        // the code pools run out before -d ends: size -d from the refresh rate so wrk does not idle long
        int d = (int) Math.max(3, Math.ceil(s.codes() / Math.max(100, w.warmRefresh().perSecond()) * 1.5) + 1);
        Result c = wrkRun(p, "code", codes.toString(), p.codeBody(), d);
        Result f = wrkRun(p, "refresh", families(p, w.sessions(), s.families()), "", s.seconds());
        Result cc = wrkRun(p, "static", "-", "grant_type=client_credentials", s.seconds());
        w.results().computeIfAbsent("code redemptions", k -> new ArrayList<>()).add(c);
        w.results().computeIfAbsent("refresh grants", k -> new ArrayList<>()).add(f);
        w.results().computeIfAbsent("client-credential grants", k -> new ArrayList<>()).add(cc);
        out.printf("%s round %d:%n  code redemptions        %s%n  refresh grants          %s%n  client-credential grants%s%n", p.name, r, c, f, cc);
    }

    /**
     * At least {@code wanted} licence holders of the demo's product: the demo licenses one class; further classes of
     * the demo organiser get a pool of their own (the same product, agreement and release) until there are enough.
     */
    static List<UUID> licensedPupils(ConfigurableApplicationContext server, DemoClassLicensed demo, int wanted) {
        Licences licences = server.getBean(Licences.class);
        LocalDate today = LocalDate.now();
        List<UUID> holders = licences.holders(demo.productId(), today);
        if (holders.size() < wanted) {
            OrganisationBrowser directory = server.getBean(OrganisationBrowser.class);
            OrganisationBrowser.Organisation organiser = directory.roots().getFirst();
            List<Selector> classes = new ArrayList<>();
            int more = holders.size();
            for (OrganisationBrowser.Organisation unit : directory.children(organiser.id())) {
                for (OrganisationBrowser.Group g : directory.groups(unit.id())) {
                    if (more < wanted && "CLASS".equals(g.kind()) && !g.name().equals(demo.className())) {
                        classes.add(Selector.group(g.id()));
                        more += (int) g.members();
                    }
                }
            }
            server.getBean(LicencePools.class).create(new NewPool(demo.productId(), organiser.id(), organiser.id(), wanted, today, today.plusYears(1),
                    false, null, "benchmark"), classes, true);
            holders = licences.holders(demo.productId(), today);
        }
        return holders.subList(0, Math.min(wanted, holders.size()));
    }

    /** Signed-in browsers, one per person (cycling through them), each able to get codes without a password. */
    private List<Map.Entry<Browser, String>> sessions(Provider p, List<String> usernames, int n) throws Exception {
        List<Map.Entry<Browser, String>> sessions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sessions.add(p.signIn(usernames.get(i % usernames.size())));
        }
        return sessions;
    }

    /** {@code n} fresh codes from the signed-in browsers, in parallel, written one a line. */
    private Path codes(Provider p, List<Map.Entry<Browser, String>> sessions, int n) throws Exception {
        List<String> codes = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger left = new AtomicInteger(n);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (var session : sessions) {
                futures.add(pool.submit(() -> {
                    while (left.getAndDecrement() > 0) {
                        codes.add(p.code(session.getKey()));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        Path file = s.workDir().resolve(p.name.toLowerCase() + "-codes.txt");
        Files.createDirectories(file.getParent());
        Files.write(file, codes);
        return file;
    }

    /** {@code n} refresh-token families: a code each, redeemed; their refresh tokens one a line. */
    private String families(Provider p, List<Map.Entry<Browser, String>> sessions, int n) throws Exception {
        List<String> tokens = new ArrayList<>();
        for (String code : java.nio.file.Files.readAllLines(codes(p, sessions, n))) {
            tokens.add(p.redeem(code).get("refresh_token").asString());
        }
        Path file = s.workDir().resolve(p.name.toLowerCase() + "-refresh-tokens.txt");
        Files.write(file, tokens);
        return file.toString();
    }

    private Result wrkRun(Provider p, String mode, String file, String body, int seconds) throws Exception {
        List<String> cmd = List.of(s.wrk(), "-t" + s.threads(), "-c" + s.connections(), "-d" + seconds + "s", "--timeout", "10s", "-s", script.toString(),
                p.origin(), "--", mode, p.authHeader, file, String.valueOf(s.threads()), body, p.token.getRawPath());
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String result = null;
        StringBuilder all = new StringBuilder();
        try (var in = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                all.append(line).append('\n');
                if (line.startsWith("RESULT ")) {
                    result = line;
                }
            }
        }
        proc.waitFor();
        if (result == null) {
            throw new IllegalStateException("wrk gave no result:\n" + all);
        }
        Map<String, Long> v = new LinkedHashMap<>();
        for (String kv : result.substring(7).split(" ")) {
            String[] parts = kv.split("=");
            v.put(parts[0], Long.parseLong(parts[1]));
        }
        if (v.get("failed") > 0) {
            out.print(all.toString().lines().filter(l -> l.startsWith("status")).map(l -> "    " + l + "\n").reduce("", String::concat));
        }
        double micros = Math.max(1, v.get("micros"));
        return new Result(v.get("ok"), v.get("failed"), v.get("ok") / (micros / 1e6), v.get("p50") / 1000.0, v.get("p99") / 1000.0);
    }

    /** What one pupil's whole sign-in costs: sign-in page, Argon2id check, authorization, code redemption. */
    private void morningRush(Provider p, List<String> usernames) throws Exception {
        Argon2PasswordEncoder argon2 = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
        String hash = argon2.encode(PASSWORD);
        for (int i = 0; i < 10; i++) {
            argon2.matches(PASSWORD, hash);
        }
        long t = System.nanoTime();
        int checks = 50;
        for (int i = 0; i < checks; i++) {
            argon2.matches(PASSWORD, hash);
        }
        double argonMs = (System.nanoTime() - t) / 1e6 / checks;
        out.printf("%nArgon2id check alone (Spring Security's defaults: 16 MiB, 2 passes, 1 lane), one thread: %.1f ms%n", argonMs);
        for (int concurrency : new int[] {1, 4}) {
            int n = concurrency == 1 ? Math.max(10, s.signIns() / 4) : s.signIns();
            List<Double> millis = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger next = new AtomicInteger();
            long start = System.nanoTime();
            try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
                List<Future<?>> futures = new ArrayList<>();
                for (int c = 0; c < concurrency; c++) {
                    futures.add(pool.submit(() -> {
                        for (int i; (i = next.getAndIncrement()) < n; ) {
                            long t0 = System.nanoTime();
                            String code = p.signIn(usernames.get(i % usernames.size())).getValue();
                            p.redeem(code);
                            millis.add((System.nanoTime() - t0) / 1e6);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            List<Double> sorted = new ArrayList<>(millis);
            Collections.sort(sorted);
            out.printf("whole sign-ins, %d at a time: %,d in %.1f s = %.1f /s, median %.1f ms, p99 %.1f ms%n", concurrency, n, seconds, n / seconds,
                    sorted.get(sorted.size() / 2), sorted.get(org.tilldela.platform.Percentiles.nearestRank(sorted.size(), 99)));
        }
    }
}
