package org.tilldela.sso.cli;

import java.io.PrintStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
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
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.keycloak.dom.saml.v2.metadata.EndpointType;
import org.keycloak.dom.saml.v2.metadata.EntityDescriptorType;
import org.keycloak.dom.saml.v2.metadata.KeyDescriptorType;
import org.keycloak.dom.saml.v2.metadata.KeyTypes;
import org.keycloak.saml.BaseSAML2BindingBuilder;
import org.keycloak.saml.SAML2AuthnRequestBuilder;
import org.keycloak.saml.SPMetadataDescriptor;
import org.keycloak.saml.common.constants.JBossSAMLURIConstants;
import org.keycloak.saml.common.util.StaxUtil;
import org.keycloak.saml.processing.core.saml.v2.writers.SAMLMetadataWriter;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.util.HtmlUtils;
import org.tilldela.access.DemoClassLicensed;
import org.tilldela.platform.CommandContext;
import org.tilldela.sso.PersonAccounts;
import org.tilldela.sso.SamlServiceProviders;

/**
 * The SAML sign-in benchmark: see {@link SamlSignInBenchmarkCommand} and BENCHMARKS.md, "SAML sign-in (issue 12)". The
 * service providers' metadata and AuthnRequests are built with Keycloak's SAML core, as the IdP's own messages are.
 */
final class SamlSignInBenchmark {

    record Settings(Path workDir, int port, int seconds, int warmUp, int runs, int pupils, int concurrency) {
    }

    /** One measurement: sign-ins answered with a Response, their rate, latency percentiles in milliseconds. */
    record Result(int ok, int failed, double perSecond, double p50, double p99) {
        @Override
        public String toString() {
            return String.format("%,8.1f /s   median %6.1f ms   p99 %6.1f ms   (%,d ok, %,d failed)", perSecond, p50, p99, ok, failed);
        }
    }

    /** A registered SP: its entityID and ACS. */
    private record Sp(String name, String entityId, String acs) {
    }

    private static final Pattern RESPONSE = Pattern.compile("name=\"SAMLResponse\" value=\"([^\"]+)\"");
    private static final Pattern HIDDEN = Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"");

    private final Settings s;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
    private String base;

    SamlSignInBenchmark(Settings s, PrintStream out) {
        this.s = s;
        this.out = out;
    }

    void run() throws Exception {
        long commandStart = System.nanoTime();
        out.printf("cores: %d, java %s, %d browsers at a time%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), s.concurrency());
        CommandContext.useEmptyWorkDirectory(s.workDir());
        AtomicReference<DemoClassLicensed> demo = new AtomicReference<>();
        CountDownLatch demoReady = new CountDownLatch(1);
        ApplicationListener<?> listener = CommandContext.onPayload(DemoClassLicensed.class, d -> {
            demo.set(d);
            demoReady.countDown();
        });
        base = "http://127.0.0.1:" + s.port();
        long start = System.nanoTime();
        ConfigurableApplicationContext server = CommandContext.startServer(List.of("--server.port=" + s.port(), "--server.address=127.0.0.1",
                "--tilldela.base-url=" + base), listener);
        try {
            if (!demoReady.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the demo licensed no class (is tilldela.demo off?)");
            }
            out.printf("Tilldela started with the demo in %.1f s%n", (System.nanoTime() - start) / 1e9);
            SamlServiceProviders providers = server.getBean(SamlServiceProviders.class);
            Sp plain = register(providers, demo.get().productId(), "plain", false);
            Sp encrypted = register(providers, demo.get().productId(), "encrypted", true);
            PersonAccounts accounts = server.getBean(PersonAccounts.class);
            List<UUID> holders = SignInBenchmark.licensedPupils(server, demo.get(), s.pupils());
            List<Browser> browsers = new ArrayList<>();
            for (int i = 0; i < holders.size(); i++) {
                String username = "saml.bench." + (i + 1);
                accounts.setPassword(holders.get(i), username, SignInBenchmark.PASSWORD, "benchmark");
                browsers.add(signIn(username));
            }
            // each person's first sign-in to each SP shows the first-use notice; going on once, the rest is the steady state
            for (Browser b : browsers) {
                samlSignIn(b, plain, true);
                samlSignIn(b, encrypted, true);
            }
            out.printf("data: %s persons in the demo municipality; %d licence holders of the demo product, each signed in once in a browser of"
                    + " their own and past the first-use notice of both SPs%n", server.getEnvironment().getProperty("tilldela.demo.persons"), browsers.size());
            out.println("cold (first sign-ins after start):");
            out.println("  plain     " + measure(browsers, plain, Math.min(5, s.seconds())));
            out.println("  encrypted " + measure(browsers, encrypted, Math.min(5, s.seconds())));
            long warm = System.nanoTime();
            measure(browsers, plain, Math.max(1, s.warmUp() / 2));
            measure(browsers, encrypted, Math.max(1, s.warmUp() - s.warmUp() / 2));
            out.printf("warm-up: %.0f s (plain, then encrypted)%n", (System.nanoTime() - warm) / 1e9);
            for (int r = 1; r <= s.runs(); r++) {
                Result p = measure(browsers, plain, s.seconds());
                Result e = measure(browsers, encrypted, s.seconds());
                out.printf("round %d:%n  plain     %s%n  encrypted %s%n", r, p, e);
            }
        } finally {
            long stop = System.nanoTime();
            server.close();
            out.printf("Tilldela stopped in %.1f s%n", (System.nanoTime() - stop) / 1e9);
        }
        out.printf("%nThe whole command, as a user runs it (fresh JVM, start and stop included): %.0f s%n", (System.nanoTime() - commandStart) / 1e9);
    }

    /** Registers an SP for the product from metadata built with Keycloak's SP descriptor; with an encryption certificate if asked. */
    private static Sp register(SamlServiceProviders providers, UUID product, String name, boolean encryption) throws Exception {
        String entityId = "https://" + name + ".sp.example/metadata";
        String acs = "https://" + name + ".sp.example/acs";
        List<KeyDescriptorType> signing = List.of(key(name + "-signing", KeyTypes.SIGNING));
        List<KeyDescriptorType> encrypting = encryption ? List.of(key(name + "-encryption", KeyTypes.ENCRYPTION)) : List.of();
        EntityDescriptorType descriptor = SPMetadataDescriptor.buildSPDescriptor(
                List.of(new EndpointType(URI.create(JBossSAMLURIConstants.SAML_HTTP_POST_BINDING.get()), URI.create(acs))), List.of(),
                false, true, encryption, entityId, JBossSAMLURIConstants.NAMEID_FORMAT_PERSISTENT.get(), signing, encrypting);
        StringWriter xml = new StringWriter();
        new SAMLMetadataWriter(StaxUtil.getXMLStreamWriter(xml)).writeEntityDescriptor(descriptor);
        providers.register(product, xml.toString(), "benchmark");
        return new Sp(name, entityId, acs);
    }

    /** A KeyDescriptor with a fresh RSA-2048 key's self-signed certificate (the benchmark's SP never decrypts: the key is thrown away). */
    private static KeyDescriptorType key(String cn, KeyTypes use) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        X500Name name = new X500Name("CN=" + cn);
        Instant now = Instant.now();
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(1, ChronoUnit.DAYS)), Date.from(now.plus(30, ChronoUnit.DAYS)), name, pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
        return SPMetadataDescriptor.buildKeyDescriptorType(SPMetadataDescriptor.buildKeyInfoElement(cn,
                Base64.getEncoder().encodeToString(certificate.getEncoded())), use);
    }

    /** A browser signed in at /sign-in. */
    private Browser signIn(String username) throws Exception {
        Browser b = new Browser(http);
        URI signIn = URI.create(base + "/sign-in");
        Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(b.get(signIn).body());
        if (!csrf.find()) {
            throw new IllegalStateException("no sign-in form");
        }
        HttpResponse<String> r = b.post(signIn, Map.of("username", username, "password", SignInBenchmark.PASSWORD, "_csrf", HtmlUtils.htmlUnescape(csrf.group(1))));
        if (!Browser.location(r).getPath().equals("/start")) {
            throw new IllegalStateException("the sign-in of " + username + " did not succeed");
        }
        return b;
    }

    /** One SP-initiated sign-in: a fresh AuthnRequest over HTTP-Redirect, the continuation, the page that posts the Response to the ACS. */
    private void samlSignIn(Browser b, Sp sp, boolean first) throws Exception {
        var request = new SAML2AuthnRequestBuilder().issuer(sp.entityId()).destination(base + "/saml2/idp/sso").assertionConsumerUrl(sp.acs())
                .protocolBinding(JBossSAMLURIConstants.SAML_HTTP_POST_BINDING.get());
        URI sso = new BaseSAML2BindingBuilder().relayState("r").redirectBinding(request.toDocument()).requestURI(base + "/saml2/idp/sso");
        URI continued = Browser.location(b.get(sso));
        HttpResponse<String> page = b.get(continued);
        if (first && page.body().contains("action=\"/saml2/idp/continue/notice\"")) {
            Map<String, String> form = new LinkedHashMap<>();
            Matcher hidden = HIDDEN.matcher(page.body());
            while (hidden.find()) {
                form.put(hidden.group(1), HtmlUtils.htmlUnescape(hidden.group(2)));
            }
            b.post(URI.create(base + "/saml2/idp/continue/notice"), form);
            page = b.get(continued);
        }
        Matcher response = RESPONSE.matcher(page.body());
        if (page.statusCode() != 200 || !response.find()) {
            throw new IllegalStateException("no SAML Response for " + sp.name() + ": " + page.statusCode());
        }
        if (first) {
            String xml = new String(Base64.getDecoder().decode(HtmlUtils.htmlUnescape(response.group(1))), java.nio.charset.StandardCharsets.UTF_8);
            boolean isEncrypted = xml.contains("EncryptedAssertion");
            if (isEncrypted != sp.name().equals("encrypted") || xml.contains("RequestDenied")) {
                throw new IllegalStateException("the " + sp.name() + " SP got an unexpected Response");
            }
        }
    }

    /** The browsers sign in to the SP, {@code concurrency} at a time, for {@code seconds}. */
    private Result measure(List<Browser> browsers, Sp sp, int seconds) throws Exception {
        List<Double> millis = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(s.concurrency())) {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < s.concurrency(); c++) {
                futures.add(pool.submit(() -> {
                    while (System.nanoTime() < until) {
                        // a browser is used by one worker at a time: each worker takes its own stripe of them
                        Browser b = browsers.get(Math.floorMod(next.getAndIncrement(), browsers.size()));
                        synchronized (b) {
                            long t0 = System.nanoTime();
                            try {
                                samlSignIn(b, sp, false);
                                millis.add((System.nanoTime() - t0) / 1e6);
                            } catch (Exception e) {
                                failed.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        List<Double> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            return new Result(0, failed.get(), 0, 0, 0);
        }
        return new Result(sorted.size(), failed.get(), sorted.size() / elapsed, sorted.get(sorted.size() / 2),
                sorted.get(org.tilldela.platform.Percentiles.nearestRank(sorted.size(), 99)));
    }
}
