package org.tilldela.directory.ss12000;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.directory.sources.ImportSources;
import org.tilldela.directory.sources.SourceRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Import sources (issue 14) against a running fake SS 12000 server: a 1-minute delta schedule picks up a change by itself
 * (the scheduler's tick driven with the time), a change notification brings a delta within seconds over real HTTP, runs
 * of one source never overlap, the subscription is made as the spec's schema says, and a failing source shows on the
 * overview. All names are synthetic.
 */
class ImportSourcesTest extends IntegrationTest {

    private static final String PASSWORD = "sources-test-password-1";
    private static final String OLD = "2020-01-01T00:00:00Z";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    ImportSources sources;
    @Autowired
    SourceRuns sourceRuns;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    AuditTrail audit;

    final JsonMapper json = JsonMapper.builder().build();
    FakeSs12000Server server;
    String name;
    String admin;
    final String organiser = UUID.randomUUID().toString();
    final String school = UUID.randomUUID().toString();
    final String pupil = UUID.randomUUID().toString();
    final String teacher = UUID.randomUUID().toString();

    @BeforeEach
    void start() throws IOException {
        server = new FakeSs12000Server();
        name = "src-" + UUID.randomUUID().toString().substring(0, 8);
        admin = "admin-" + name;
        accounts.create(admin, "Sources", PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN), "test");
        server.put("/organisations", List.of(organisation(organiser, "Provkommunen", null), organisation(school, "Provskolan", organiser)));
        server.put("/persons", List.of(person(pupil, "Alfa", "Provsson"), person(teacher, "Beta", "Provsson")));
        server.put("/groups", List.of());
        server.put("/duties", List.of());
    }

    @AfterEach
    void stop() {
        // a source left behind would be due at every later tick of this shared database
        for (ImportSources.Source s : sources.list()) {
            if (s.name().equals(name)) {
                sources.delete(s.id(), "test");
            }
        }
        server.close();
    }

    @Test
    void aSourceOnAOneMinuteDeltaSchedulePicksUpAChangeByItselfAndItsPageShowsIt() throws Exception {
        Map<String, Object> created = api().post().uri("/api/v1/import-sources").contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("name", name, "kind", "SS12000", "url", server.baseUrl(), "token", "token-kept-secret-1", "deltaMinutes", 1))
                .retrieve().body(new ParameterizedTypeReference<>() { });
        UUID id = UUID.fromString((String) created.get("id"));
        // the token is write-only: never in an answer, encrypted in the database
        assertThat(json.writeValueAsString(created)).doesNotContain("token-kept-secret-1").contains("\"hasToken\":true");
        byte[] stored = jdbc.sql("select token from import_source where id = :id").param("id", id).query((rs, n) -> rs.getBytes(1)).single();
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("token-kept-secret-1");
        assertThat(audit.about("import_source", id.toString())).extracting(AuditTrail.Entry::action).contains("IMPORT_SOURCE_CREATED");

        Instant t0 = Instant.now().plusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.SECONDS); // whole seconds: as precise as the database keeps it
        sourceRuns.tick(t0); // a new source runs at the first look
        assertThat(givenName(pupil)).isEqualTo("Alfa");
        assertThat(server.requests).isNotEmpty().allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer token-kept-secret-1"));
        Thread.sleep(1100); // the source's sync time is in whole seconds: a change must come after it

        server.modify("/persons", person(pupil, "Alfons", "Provsson"));
        server.requests.clear();
        sourceRuns.tick(t0.plusSeconds(30)); // not due yet
        assertThat(server.requests).isEmpty();
        assertThat(givenName(pupil)).isEqualTo("Alfa");

        sourceRuns.tick(t0.plusSeconds(61)); // a minute on: the delta runs by itself
        assertThat(givenName(pupil)).isEqualTo("Alfons");
        assertThat(server.requestsTo("/persons")).singleElement().satisfies(r -> assertThat(r.query()).containsKey("meta.modified.after"));
        ImportSources.Source after = sources.find(id).orElseThrow();
        assertThat(after.lastOutcome()).isEqualTo(ImportSources.Outcome.SUCCEEDED);
        assertThat(after.lastStartedAt()).isEqualTo(t0.plusSeconds(61));
        assertThat(after.nextDeltaAt()).isEqualTo(t0.plusSeconds(121));

        WebSession browser = new WebSession(port).signIn(admin, PASSWORD);
        String page = browser.page("/imports/sources/" + id).body();
        assertThat(page).contains(name).contains("Succeeded").contains("delta every 1 minutes")
                .doesNotContain("token-kept-secret-1");
        // the summary of the run that picked up the change: one person updated
        assertThat(page.replaceAll("\\s+", " ")).containsPattern("Persons</th> <td class=\"num\">0</td> <td class=\"num\">1</td>");
        assertThat(browser.page("/imports/sources").body()).contains(name);
    }

    @Test
    void twoConcurrentRunsOfOneSourceNeverOverlap() throws Exception {
        UUID id = sources.create(new ImportSources.Settings(name, ImportSources.Kind.SS12000, server.baseUrl(), null, 5, null, true, false),
                "test", null);
        server.delayMillis = 300; // each list answers slowly: the two calls overlap
        Instant now = Instant.now();
        CountDownLatch ready = new CountDownLatch(2);
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Callable<SourceRuns.Result> run = () -> {
                ready.countDown();
                ready.await();
                return sourceRuns.run(id, now);
            };
            Future<SourceRuns.Result> a = two.submit(run);
            Future<SourceRuns.Result> b = two.submit(run);
            List<SourceRuns.Result> results = List.of(a.get(), b.get());
            assertThat(results).containsOnlyOnce(SourceRuns.Result.RAN).containsAnyOf(SourceRuns.Result.BUSY, SourceRuns.Result.NOT_DUE);
        } finally {
            two.shutdownNow();
        }
        assertThat(jdbc.sql("select count(*) from import_run where source = :s").param("s", name).query(Long.class).single()).isOne();
        assertThat(server.requestsTo("/organisations")).hasSize(1);
        // and once it ran, it is not due again until its next delta
        assertThat(sourceRuns.run(id, now)).isEqualTo(SourceRuns.Result.NOT_DUE);
    }

    @Test
    void aChangeNotificationBringsADeltaWithinSecondsAndTheSubscriptionIsAsTheSpecSays() throws Exception {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("name", name, "kind", "SS12000", "url", server.baseUrl(), "deltaMinutes", 60,
                "notifications", true));
        Map<String, Object> created = api().post().uri("/api/v1/import-sources").contentType(MediaType.APPLICATION_JSON).body(body)
                .retrieve().body(new ParameterizedTypeReference<>() { });
        UUID id = UUID.fromString((String) created.get("id"));

        // one subscription, its request valid against the spec's Subscription_post, its webhook ours with a secret in it
        assertThat(server.subscriptions).hasSize(1);
        FakeSs12000Server.Subscription subscription = server.subscriptions.values().iterator().next();
        Schema schema = ss12000Schema("Subscription_post");
        JsonNode request = json.readTree(subscription.body());
        assertThat(schema.validate(request)).isEmpty();
        assertThat(request.path("name").stringValue()).isEqualTo("Tilldela " + name);
        assertThat(request.path("target").stringValue()).matches(java.util.regex.Pattern.quote(baseUrl() + "/webhooks/ss12000/" + id + "/") + "[A-Za-z0-9_-]{43}");
        assertThat(request.path("resourceTypes").findValuesAsString("resource")).containsExactlyInAnyOrder("Organisation", "Person", "Group", "Duty", "Activity");
        // the validator does refuse what the schema does not allow (so its silence above means something)
        assertThat(schema.validate(json.readTree("{\"name\": \"x\", \"resourceTypes\": [{\"resource\": \"Pupil\"}]}"))).hasSizeGreaterThanOrEqualTo(2);
        ImportSources.Source source = sources.find(id).orElseThrow();
        assertThat(source.subscriptionId()).isEqualTo(subscription.id());
        assertThat(Duration.between(source.subscriptionExpires(), subscription.expires()).abs()).isLessThan(Duration.ofMillis(1));

        sourceRuns.tick(Instant.now());
        assertThat(givenName(pupil)).isEqualTo("Alfa");
        Thread.sleep(1100);
        server.modify("/persons", person(pupil, "Alfons", "Provsson"));

        // a stranger's call (a wrong secret, no secret) is refused and changes nothing
        var http = java.net.http.HttpClient.newHttpClient();
        for (String target : List.of(subscription.target().substring(0, subscription.target().length() - 2) + "xx",
                baseUrl() + "/webhooks/ss12000/" + id + "/", baseUrl() + "/webhooks/ss12000/not-a-source/secret")) {
            int status = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(target)).POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                    .build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
            assertThat(status).as(target).isEqualTo(404);
        }
        assertThat(sources.find(id).orElseThrow().requestedAt()).isNull();

        long sent = System.nanoTime();
        assertThat(server.notifySubscribers(List.of("Person"), false)).containsExactly(200);
        while (!"Alfons".equals(givenName(pupil)) && System.nanoTime() - sent < Duration.ofSeconds(10).toNanos()) {
            Thread.sleep(50);
        }
        assertThat(givenName(pupil)).as("the change arrived within seconds of the notification").isEqualTo("Alfons");
        assertThat(server.requestsTo("/persons").getLast().query()).containsKey("meta.modified.after");

        // renewed when less than a day is left
        jdbc.sql("update import_source set subscription_expires = now() + interval '1 hour' where id = :id").param("id", id).update();
        sourceRuns.tick(Instant.now());
        assertThat(server.requests.stream().filter(r -> r.method().equals("PATCH"))).singleElement()
                .satisfies(r -> assertThat(r.path()).isEqualTo("/subscriptions/" + subscription.id()));
        assertThat(sources.find(id).orElseThrow().subscriptionExpires()).isAfter(Instant.now().plus(Duration.ofDays(6)));

        // a change that is refused (a new token, but an alert address that is none) leaves the subscription as it was
        Map<String, Object> refusedChange = new LinkedHashMap<>(body);
        refusedChange.put("token", "a-new-token");
        refusedChange.put("alertEmails", List.of("not an address"));
        int refused = api().put().uri("/api/v1/import-sources/{id}", id).contentType(MediaType.APPLICATION_JSON).body(refusedChange)
                .exchange((req, res) -> res.getStatusCode().value());
        assertThat(refused).isEqualTo(400);
        assertThat(server.subscriptions).as("still subscribed at the server").hasSize(1);
        assertThat(sources.find(id).orElseThrow().subscriptionId()).isEqualTo(subscription.id());

        // removing the source ends its subscription at the server
        api().delete().uri("/api/v1/import-sources/{id}", id).retrieve().toBodilessEntity();
        assertThat(server.subscriptions).isEmpty();
        assertThat(audit.about("import_source", id.toString())).extracting(AuditTrail.Entry::action)
                .contains("IMPORT_SOURCE_CREATED", "IMPORT_SOURCE_SUBSCRIBED", "IMPORT_SOURCE_UNSUBSCRIBED", "IMPORT_SOURCE_REMOVED");
    }

    @Test
    void aFailingSourceSaysWhyInPlainWordsOnItsPageAndOnTheOverview() {
        UUID id = sources.create(new ImportSources.Settings(name, ImportSources.Kind.SS12000, server.baseUrl(), null, 5, null, true, false),
                "test", null);
        server.fail("/organisations", 401);
        sourceRuns.tick(Instant.now());

        ImportSources.Source failed = sources.find(id).orElseThrow();
        assertThat(failed.lastOutcome()).isEqualTo(ImportSources.Outcome.FAILED);
        assertThat(failed.lastFailure()).isEqualTo("UNREACHABLE");
        assertThat(failed.failuresInARow()).isOne();
        WebSession browser = new WebSession(port).signIn(admin, PASSWORD);
        assertThat(browser.page("/imports/sources/" + id).body()).contains("The last run failed")
                .contains("Tilldela could not reach the source");
        String overview = browser.page("/directory").body();
        assertThat(overview).contains("Import sources that failed").contains("/imports/sources/" + id).contains("Tilldela could not reach the source");

        // fixed at the source: the next run succeeds and the warning goes
        server.recover("/organisations");
        sources.request(id, true, admin);
        assertThat(sourceRuns.run(id, Instant.now())).isEqualTo(SourceRuns.Result.RAN);
        assertThat(sources.find(id).orElseThrow().failuresInARow()).isZero();
        assertThat(browser.page("/directory").body()).doesNotContain("/imports/sources/" + id);
    }

    @Test
    void theWebFormAddsASourceOnceAndRefusesATakenNameInPlainWords() {
        WebSession browser = new WebSession(port).signIn(admin, PASSWORD);
        String page = browser.page("/imports/sources").body();
        Map<String, String> fields = WebSession.hiddenFields(page, "/imports/sources");
        fields.putAll(Map.of("name", name, "kind", "SS12000", "url", server.baseUrl(), "token", "form-token-secret-2", "deltaMinutes", "15",
                "fullAt", "02:30", "enabled", "true"));
        WebSession.Answer saved = browser.post("/imports/sources", fields);
        assertThat(saved.status()).isEqualTo(302);
        UUID id = UUID.fromString(saved.location().replaceAll(".*/imports/sources/", ""));
        ImportSources.Source source = sources.find(id).orElseThrow();
        assertThat(source.deltaMinutes()).isEqualTo(15);
        assertThat(source.fullAt()).isEqualTo(java.time.LocalTime.of(2, 30));
        assertThat(source.nextFullAt()).isAfter(Instant.now()).isBefore(Instant.now().plus(Duration.ofDays(1)));
        assertThat(browser.follow(saved).body()).contains("full import daily at 02:30").doesNotContain("form-token-secret-2");

        // the same form again (a double click) lands on the same source; a new form with the same name is refused
        assertThat(browser.post("/imports/sources", fields).location()).isEqualTo(saved.location());
        Map<String, String> again = WebSession.hiddenFields(browser.page("/imports/sources").body(), "/imports/sources");
        again.putAll(Map.of("name", name, "kind", "SS12000", "url", server.baseUrl(), "deltaMinutes", "15"));
        WebSession.Answer refused = browser.post("/imports/sources", again);
        assertThat(refused.status()).isEqualTo(200);
        assertThat(refused.body()).contains("there is a source named " + name + " already");
        assertThat(sources.list()).filteredOn(s -> s.name().equals(name)).hasSize(1);
    }

    // ---- helpers ----

    private RestClient api() {
        return RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(admin, PASSWORD)).build();
    }

    private String givenName(String sourceId) {
        return jdbc.sql("select given_name from person where source = :s and source_id = :id").param("s", name).param("id", sourceId)
                .query(String.class).optional().orElse(null);
    }

    /** A schema of the SS 12000 OpenAPI description (a test resource, copied unchanged), for the independent validator. */
    private static Schema ss12000Schema(String name) {
        return SchemaRegistry.withDialect(Dialects.getOpenApi30())
                .getSchema(SchemaLocation.of("classpath:ss12000/openapi.yml#/components/schemas/" + name));
    }

    private static Map<String, Object> organisation(String id, String displayName, String parent) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", id);
        o.put("meta", Map.of("created", OLD, "modified", OLD));
        o.put("displayName", displayName);
        o.put("organisationType", parent == null ? "Huvudman" : "Skolenhet");
        if (parent != null) {
            o.put("parentOrganisation", Map.of("id", parent));
            o.put("schoolUnitCode", "12345678");
        }
        return o;
    }

    private static Map<String, Object> person(String id, String given, String family) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", id);
        p.put("meta", Map.of("created", OLD, "modified", OLD));
        p.put("givenName", given);
        p.put("familyName", family);
        p.put("enrolments", new ArrayList<>());
        return p;
    }
}
