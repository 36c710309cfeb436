package org.tilldela.directory.ss12000;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.LogCapture;
import org.tilldela.WebSession;
import org.tilldela.directory.sources.ImportSources;
import org.tilldela.directory.sources.SourceRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.platform.TestCertificates;

/**
 * An SS 12000 source whose server demands a client certificate (mutual TLS, issue 14): the fake SS 12000 server behind
 * the JDK's HTTPS server, trusting client certificates of a test CA only (made by Bouncy Castle, as for SCIM connectors).
 * The source with a certificate of that CA imports, together with its bearer token, and subscribes and reports to /log
 * over the same TLS; one without a certificate, or with another CA's, fails with a plain-words reason on its page and
 * imports nothing; a key that is not the certificate's is refused when saved. All names are synthetic.
 */
class SourceClientCertificateTest extends IntegrationTest {

    private static final String PASSWORD = "mtls-source-password-1";
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

    TestCertificates.Authority school;
    TestCertificates.Authority stranger;
    FakeSs12000Server server;
    String name;
    String admin;

    @BeforeEach
    void start() throws Exception {
        school = new TestCertificates.Authority("Skolans CA");
        stranger = new TestCertificates.Authority("En annan CA");
        server = new FakeSs12000Server(TestCertificates.serverContext(school.server(), school));
        name = "mtls-" + UUID.randomUUID().toString().substring(0, 8);
        admin = "admin-" + name;
        accounts.create(admin, "Mutual TLS", PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN), "test");
        server.put("/organisations", List.of(new LinkedHashMap<>(Map.of("id", UUID.randomUUID().toString(), "meta", Map.of("created", OLD, "modified", OLD),
                "displayName", "Certifikatkommunen", "organisationType", "Huvudman"))));
        server.put("/persons", List.of(new LinkedHashMap<>(Map.of("id", UUID.randomUUID().toString(), "meta", Map.of("created", OLD, "modified", OLD),
                "givenName", "Kappa", "familyName", "Certifiksson", "enrolments", new ArrayList<>()))));
        server.put("/groups", List.of());
        server.put("/duties", List.of());
    }

    @AfterEach
    void stop() {
        for (ImportSources.Source s : sources.list()) {
            if (s.name().startsWith(name)) {
                sources.delete(s.id(), "test");
            }
        }
        server.close();
    }

    @Test
    void onlyAClientCertificateOfTheCaTheSourceTrustsImports() throws Exception {
        assertThat(LogCapture.installed()).isTrue();
        int logStart = LogCapture.captured().length();
        TestCertificates.Issued client = school.client("tilldela");
        TestCertificates.Issued strangers = stranger.client("tilldela");

        // with a certificate of the school's CA, and a bearer token besides; notifications on
        Map<String, Object> settings = settings(name, school.pem());
        settings.put("clientCertificate", client.certificatePem());
        settings.put("clientKey", client.keyPem());
        settings.put("token", "mtls-bearer-token");
        settings.put("notifications", true);
        Map<String, Object> created = api().post().uri("/api/v1/import-sources").body(settings).retrieve().body(new ParameterizedTypeReference<>() { });
        UUID trusted = UUID.fromString(created.get("id").toString());
        assertThat(created).containsEntry("hasClientCertificate", true).containsEntry("serverCaGiven", true);
        assertThat(created.toString()).doesNotContain("PRIVATE KEY").doesNotContain("BEGIN CERTIFICATE");
        // the subscription was made over the same TLS
        assertThat(server.subscriptions).hasSize(1);

        Instant t0 = Instant.now().plusSeconds(1);
        assertThat(sourceRuns.run(trusted, t0)).isEqualTo(SourceRuns.Result.RAN);
        ImportSources.Source ran = sources.find(trusted).orElseThrow();
        assertThat(ran.lastOutcome()).isEqualTo(ImportSources.Outcome.SUCCEEDED);
        assertThat(persons(name)).containsExactly("Kappa");
        assertThat(server.requestsTo("/persons")).isNotEmpty().allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer mtls-bearer-token"));

        // stored encrypted, never shown, audited without it
        Map<String, Object> stored = jdbc.sql("select encode(client_key, 'escape') k, encode(client_certificate, 'escape') c from import_source where id = :id")
                .param("id", trusted).query().singleRow();
        assertThat(stored.get("k").toString()).doesNotContain("PRIVATE KEY");
        assertThat(stored.get("c").toString()).doesNotContain("CERTIFICATE");
        String keyLine = client.keyPem().lines().skip(1).findFirst().orElseThrow();
        assertThat(api().get().uri("/api/v1/import-sources").retrieve().body(String.class)).contains(trusted.toString())
                .doesNotContain("PRIVATE KEY").doesNotContain(keyLine);
        assertThat(audit.about("import_source", trusted.toString())).extracting(AuditTrail.Entry::action).contains("IMPORT_SOURCE_CREATED");
        assertThat(audit.about("import_source", trusted.toString())).allSatisfy(e ->
                assertThat(String.valueOf(e.detail())).doesNotContain("PRIVATE KEY").doesNotContain("CERTIFICATE-----"));

        // OAuth client credentials besides the certificate: the token endpoint, behind the same TLS demanding the same
        // certificate, is asked through the source's TLS context too
        server.accessToken = "mtls-access-token";
        Map<String, Object> oauth = settings(name + "-oauth", school.pem());
        oauth.putAll(Map.of("clientCertificate", client.certificatePem(), "clientKey", client.keyPem(), "auth", "OAUTH_CLIENT_CREDENTIALS",
                "tokenUrl", server.baseUrl() + "/token", "clientId", "tilldela", "clientSecret", "mtls-client-secret"));
        UUID withOAuth = create(oauth);
        assertThat(sourceRuns.run(withOAuth, Instant.now().plusSeconds(1))).isEqualTo(SourceRuns.Result.RAN);
        assertThat(sources.find(withOAuth).orElseThrow().lastOutcome()).isEqualTo(ImportSources.Outcome.SUCCEEDED);
        assertThat(server.requestsTo("/token")).hasSize(1);
        assertThat(server.requestsTo("/persons").getLast().authorization()).isEqualTo("Bearer mtls-access-token");
        assertThat(persons(name + "-oauth")).containsExactly("Kappa");

        // edited with the certificate left empty: kept, and the next run still gets through; the data it refuses is told to
        // the source's /log over the same TLS
        Map<String, Object> edit = settings(name, null);
        edit.put("deltaMinutes", 30);
        api().put().uri("/api/v1/import-sources/{id}", trusted).body(edit).retrieve().toBodilessEntity();
        assertThat(sources.find(trusted).orElseThrow().hasClientCertificate()).isTrue();
        assertThat(audit.about("import_source", trusted.toString())).extracting(AuditTrail.Entry::action).contains("IMPORT_SOURCE_CHANGED");
        server.answerRaw("/persons", "{\"data\": [{\"id\": 17}]}");
        sources.request(trusted, true, "test");
        assertThat(sourceRuns.run(trusted, t0.plusSeconds(60))).isEqualTo(SourceRuns.Result.RAN);
        assertThat(sources.find(trusted).orElseThrow().lastFailure()).isEqualTo("REFUSED_DATA");
        assertThat(server.logEntries).isNotEmpty();

        // removed: the stored certificate and key are gone, and the server lets the source in no more
        Map<String, Object> removed = settings(name, null);
        removed.put("removeClientCertificate", true);
        api().put().uri("/api/v1/import-sources/{id}", trusted).body(removed).retrieve().toBodilessEntity();
        assertThat(jdbc.sql("select client_certificate is null and client_key is null and server_ca is not null from import_source where id = :id")
                .param("id", trusted).query(Boolean.class).single()).isTrue();
        sources.request(trusted, false, "test");
        assertThat(sourceRuns.run(trusted, t0.plusSeconds(120))).isEqualTo(SourceRuns.Result.RAN);
        assertThat(sources.find(trusted).orElseThrow().lastFailure()).isEqualTo("UNREACHABLE_TLS");

        // without a certificate, and with one of another CA: refused in the handshake, nothing imported, said on the page
        UUID without = create(settings(name + "-none", school.pem()));
        Map<String, Object> strangersSettings = settings(name + "-other", school.pem());
        strangersSettings.put("clientCertificate", strangers.certificatePem());
        strangersSettings.put("clientKey", strangers.keyPem());
        UUID other = create(strangersSettings);
        WebSession browser = new WebSession(port).signIn(admin, PASSWORD);
        for (UUID refused : List.of(without, other)) {
            int requests = server.requests.size();
            assertThat(sourceRuns.run(refused, Instant.now().plusSeconds(1))).isEqualTo(SourceRuns.Result.RAN);
            ImportSources.Source failed = sources.find(refused).orElseThrow();
            assertThat(failed.lastOutcome()).isEqualTo(ImportSources.Outcome.FAILED);
            assertThat(failed.lastFailure()).isEqualTo("UNREACHABLE_TLS");
            assertThat(server.requests).as("no request got through the handshake").hasSize(requests);
            assertThat(browser.page("/imports/sources/" + refused).body())
                    .contains("the source&#39;s server refused the client certificate (expired, or not of a CA it trusts)");
        }
        assertThat(persons(name + "-none")).isEmpty();
        assertThat(persons(name + "-other")).isEmpty();

        String logged = LogCapture.captured().substring(logStart);
        assertThat(logged).doesNotContain("Certifiksson").doesNotContain("Kappa").doesNotContain("mtls-bearer-token").doesNotContain("mtls-access-token")
                .doesNotContain("mtls-client-secret").doesNotContain(keyLine);
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefusedOnSaveAndNothingIsSaved() throws Exception {
        TestCertificates.Issued one = school.client("one");
        TestCertificates.Issued another = school.client("another");
        Map<String, Object> mismatched = settings(name, null);
        mismatched.put("clientCertificate", one.certificatePem());
        mismatched.put("clientKey", another.keyPem());
        String answer = api().post().uri("/api/v1/import-sources").body(mismatched)
                .exchange((request, response) -> response.getStatusCode().value() + " " + new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8));
        assertThat(answer).startsWith("400").doesNotContain("PRIVATE KEY");
        Map<String, Object> alone = settings(name, null);
        alone.put("clientCertificate", one.certificatePem());
        int status = api().post().uri("/api/v1/import-sources").body(alone).exchange((request, response) -> response.getStatusCode().value());
        assertThat(status).isEqualTo(400);
        assertThat(sources.list()).noneMatch(s -> s.name().equals(name));

        // in the form, in the reader's language, and nothing saved
        WebSession browser = new WebSession(port).signIn(admin, PASSWORD);
        Map<String, String> fields = WebSession.hiddenFields(browser.page("/imports/sources?lang=sv").body(), "/imports/sources");
        fields.putAll(Map.of("name", name, "kind", "SS12000", "url", server.baseUrl(), "auth", "BEARER", "deltaMinutes", "15", "enabled", "true",
                "clientCertificate", one.certificatePem(), "clientKey", another.keyPem()));
        WebSession.Answer refused = browser.post("/imports/sources", fields);
        assertThat(refused.status()).isEqualTo(200);
        // the key is not echoed back into the form
        assertThat(refused.body()).contains("Den privata nyckeln hör inte till klientcertifikatet. Ingenting sparades.")
                .doesNotContain(another.keyPem().lines().skip(1).findFirst().orElseThrow());
        assertThat(sources.list()).noneMatch(s -> s.name().equals(name));
    }

    private Map<String, Object> settings(String sourceName, String serverCa) {
        Map<String, Object> s = new HashMap<>(Map.of("name", sourceName, "kind", "SS12000", "url", server.baseUrl(), "deltaMinutes", 5, "enabled", true));
        if (serverCa != null) {
            s.put("serverCa", serverCa);
        }
        return s;
    }

    private UUID create(Map<String, Object> settings) {
        Map<String, Object> created = api().post().uri("/api/v1/import-sources").body(settings).retrieve().body(new ParameterizedTypeReference<>() { });
        return UUID.fromString(created.get("id").toString());
    }

    private List<String> persons(String source) {
        return jdbc.sql("select given_name from person where source = :s").param("s", source).query(String.class).list();
    }

    private RestClient api() {
        return RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(admin, PASSWORD)).build();
    }
}
