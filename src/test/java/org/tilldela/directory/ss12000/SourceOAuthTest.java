package org.tilldela.directory.ss12000;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogFixtures;
import org.tilldela.catalog.Supplier;
import org.tilldela.directory.sources.ImportSources;
import org.tilldela.directory.sources.SourceRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.sso.SignInClients;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An SS 12000 source that wants an OAuth 2.0 access token got with client credentials (issue 14). The authorization
 * server is a real one: Tilldela's own (Spring Authorization Server), with a client-credentials client registered in it
 * for the purpose; the fake SS 12000 server records the bearer it is sent, and the test asks the authorization server
 * (introspection) whether that is a token it issued. All names are synthetic.
 */
class SourceOAuthTest extends IntegrationTest {

    private static final String PASSWORD = "oauth-test-password-1";
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
    Catalog catalog;
    @Autowired
    SignInClients clients;

    final JsonMapper json = JsonMapper.builder().build();
    FakeSs12000Server server;
    String name;
    String admin;
    SignInClients.Registration client;

    @BeforeEach
    void start() throws IOException {
        server = new FakeSs12000Server();
        name = "oauth-" + UUID.randomUUID().toString().substring(0, 8);
        admin = "admin-" + name;
        accounts.create(admin, "OAuth", PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN), "test");
        String organiser = UUID.randomUUID().toString();
        Map<String, Object> org = new LinkedHashMap<>(Map.of("id", organiser, "meta", Map.of("created", OLD, "modified", OLD),
                "displayName", "Provkommunen", "organisationType", "Huvudman"));
        Map<String, Object> person = new LinkedHashMap<>(Map.of("id", UUID.randomUUID().toString(), "meta", Map.of("created", OLD, "modified", OLD),
                "givenName", "Omega", "familyName", "Tokensson", "enrolments", new ArrayList<>()));
        server.put("/organisations", List.of(org));
        server.put("/persons", List.of(person));
        server.put("/groups", List.of());
        server.put("/duties", List.of());
        // the source's authorization server: a client-credentials client registered in Tilldela's own
        Supplier supplier = CatalogFixtures.supplier("SIS-leverantören " + name, "SE");
        catalog.save(supplier);
        var product = CatalogFixtures.digital(supplier, "Elevregister " + name, "", List.of());
        catalog.save(product);
        client = clients.registerSystemClient(product.id(), "SS 12000 " + name, Set.of("ss12000.read"), "test");
    }

    @AfterEach
    void stop() {
        for (ImportSources.Source s : sources.list()) {
            if (s.name().equals(name)) {
                sources.delete(s.id(), "test");
            }
        }
        server.close();
    }

    @Test
    void aSourceGetsAnAccessTokenWithClientCredentialsKeepsItUntilItExpiresAndSaysSoWhenTheCredentialsAreRefused() throws Exception {
        String tokenUrl = baseUrl().replace("localhost", "127.0.0.1") + "/oauth2/token";
        UUID id = sources.create(new ImportSources.Settings(name, ImportSources.Kind.SS12000, server.baseUrl(), null, 1, null, true, false,
                ImportSources.Auth.OAUTH_CLIENT_CREDENTIALS, tokenUrl, client.clientId(), client.clientSecret(), "ss12000.read"), "test", null);
        // the secret is write-only: encrypted in the database, never in what the API shows
        byte[] stored = jdbc.sql("select client_secret from import_source where id = :id").param("id", id).query((rs, n) -> rs.getBytes(1)).single();
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(client.clientSecret());
        assertThat(json.writeValueAsString(sources.find(id).orElseThrow())).doesNotContain(client.clientSecret()).contains("\"hasClientSecret\":true");

        Instant t0 = Instant.now().plusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        assertThat(sourceRuns.run(id, t0)).isEqualTo(SourceRuns.Result.RAN);
        assertThat(sources.find(id).orElseThrow().lastOutcome()).isEqualTo(ImportSources.Outcome.SUCCEEDED);
        assertThat(jdbc.sql("select given_name from person where source = :s").param("s", name).query(String.class).list()).containsExactly("Omega");
        String bearer = server.requests.getFirst().authorization();
        assertThat(bearer).startsWith("Bearer ");
        String token = bearer.substring("Bearer ".length());
        assertThat(server.requests).allSatisfy(r -> assertThat(r.authorization()).isEqualTo(bearer));
        // a token the authorization server issued to this client, with the scope asked for
        JsonNode introspected = introspect(token);
        assertThat(introspected.path("active").asBoolean()).isTrue();
        assertThat(introspected.path("client_id").stringValue()).isEqualTo(client.clientId());
        assertThat(introspected.path("scope").stringValue()).isEqualTo("ss12000.read");

        // the next run, a minute on, uses the same token: it is kept until shortly before it expires
        server.requests.clear();
        assertThat(sourceRuns.run(id, t0.plusSeconds(61))).isEqualTo(SourceRuns.Result.RAN);
        assertThat(server.requests).isNotEmpty().allSatisfy(r -> assertThat(r.authorization()).isEqualTo(bearer));

        // a wrong secret: the authorization server refuses, and the source's page says so in plain words
        sources.update(id, new ImportSources.Settings(name, ImportSources.Kind.SS12000, server.baseUrl(), null, 1, null, true, false,
                ImportSources.Auth.OAUTH_CLIENT_CREDENTIALS, tokenUrl, client.clientId(), "not-the-secret", "ss12000.read"), "test", null);
        server.requests.clear();
        assertThat(sourceRuns.run(id, t0.plusSeconds(122))).isEqualTo(SourceRuns.Result.RAN);
        ImportSources.Source refused = sources.find(id).orElseThrow();
        assertThat(refused.lastOutcome()).isEqualTo(ImportSources.Outcome.FAILED);
        assertThat(refused.lastFailure()).isEqualTo("AUTHORIZATION_REFUSED");
        assertThat(server.requests).as("the old token is not used with changed credentials").isEmpty();
        WebSession browser = new WebSession(port).signIn(admin, PASSWORD);
        assertThat(browser.page("/imports/sources/" + id).body()).contains("The authorization server refused the client credentials")
                .contains("OAuth 2.0 client credentials").contains(client.clientId()).doesNotContain("not-the-secret");
    }

    @Test
    void theFormSaysWhatIsMissingInTheReadersLanguageAndKeepsTheSecretOnlyForTheSameAuthorizationServer() {
        WebSession browser = new WebSession(port).signIn(admin, PASSWORD);
        String tokenUrl = baseUrl().replace("localhost", "127.0.0.1") + "/oauth2/token";
        Map<String, String> fields = WebSession.hiddenFields(browser.page("/imports/sources?lang=sv").body(), "/imports/sources");
        fields.putAll(Map.of("name", name, "kind", "SS12000", "url", server.baseUrl(), "auth", "OAUTH_CLIENT_CREDENTIALS", "tokenUrl", tokenUrl,
                "clientId", client.clientId(), "deltaMinutes", "15", "enabled", "true"));
        WebSession.Answer refused = browser.post("/imports/sources", fields);
        assertThat(refused.status()).isEqualTo(200);
        assertThat(refused.body()).contains("Ange klienthemligheten (igen, när token-URL, klient-id eller källans server ändras).");
        browser.page("/imports/sources?lang=da");
        fields = WebSession.hiddenFields(browser.page("/imports/sources").body(), "/imports/sources");
        fields.putAll(Map.of("name", name, "kind", "SS12000", "url", server.baseUrl(), "auth", "OAUTH_CLIENT_CREDENTIALS", "tokenUrl", tokenUrl,
                "deltaMinutes", "15", "enabled", "true"));
        assertThat(browser.post("/imports/sources", fields).body()).contains("Angiv det klient-id, som autorisationsserveren har udstedt.");

        browser.page("/imports/sources?lang=en");
        fields = WebSession.hiddenFields(browser.page("/imports/sources").body(), "/imports/sources");
        fields.putAll(Map.of("name", name, "kind", "SS12000", "url", server.baseUrl(), "auth", "OAUTH_CLIENT_CREDENTIALS", "tokenUrl", tokenUrl,
                "clientId", client.clientId(), "clientSecret", client.clientSecret(), "deltaMinutes", "15", "enabled", "true"));
        WebSession.Answer saved = browser.post("/imports/sources", fields);
        assertThat(saved.status()).isEqualTo(302);
        UUID id = UUID.fromString(saved.location().replaceAll(".*/imports/sources/", ""));
        assertThat(sources.find(id).orElseThrow().hasClientSecret()).isTrue();

        // edited with the secret left empty: kept while the token URL stays; another token URL needs it again
        Map<String, String> edit = WebSession.hiddenFields(browser.page("/imports/sources/" + id).body(), "/imports/sources/" + id);
        edit.putAll(Map.of("name", name, "kind", "SS12000", "url", server.baseUrl(), "auth", "OAUTH_CLIENT_CREDENTIALS", "tokenUrl", tokenUrl,
                "clientId", client.clientId(), "deltaMinutes", "30", "enabled", "true"));
        assertThat(browser.post("/imports/sources/" + id, edit).status()).isEqualTo(302);
        assertThat(sources.find(id).orElseThrow().deltaMinutes()).isEqualTo(30);
        edit.put("tokenUrl", "http://127.0.0.1:1/elsewhere/token");
        WebSession.Answer moved = browser.post("/imports/sources/" + id, edit);
        assertThat(moved.status()).isEqualTo(200);
        assertThat(moved.body()).contains("Give the client secret (again, when the token URL, the client id or the source&#39;s server changes).");
        assertThat(sources.find(id).orElseThrow().tokenUrl()).isEqualTo(tokenUrl);
        // nor is it kept for another source server: the tokens got with it would go there
        edit.put("tokenUrl", tokenUrl);
        edit.put("url", "http://127.0.0.1:1/ss12000");
        WebSession.Answer elsewhere = browser.post("/imports/sources/" + id, edit);
        assertThat(elsewhere.status()).isEqualTo(200);
        assertThat(elsewhere.body()).contains("Give the client secret (again, when the token URL, the client id or the source&#39;s server changes).");
        assertThat(sources.find(id).orElseThrow().url()).isEqualTo(server.baseUrl());
    }

    /** A stored bearer token goes only to the server it was given for: the source pointed at another needs it again. */
    @Test
    void aStoredBearerTokenIsKeptForItsOwnServerOnly() {
        String bearerName = name + "-bearer";
        UUID id = sources.create(new ImportSources.Settings(bearerName, ImportSources.Kind.SS12000, server.baseUrl(), "token-for-this-server", 1, null,
                false, false, ImportSources.Auth.BEARER, null, null, null, null), "test", null);
        // the same server, another path: kept
        sources.update(id, new ImportSources.Settings(bearerName, ImportSources.Kind.SS12000, server.baseUrl() + "/v2", null, 1, null, false, false,
                ImportSources.Auth.BEARER, null, null, null, null), "test", null);
        assertThat(sources.find(id).orElseThrow().hasToken()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> sources.update(id, new ImportSources.Settings(bearerName, ImportSources.Kind.SS12000,
                        "http://127.0.0.1:1/ss12000", null, 1, null, false, false, ImportSources.Auth.BEARER, null, null, null, null), "test", null))
                .isInstanceOf(org.tilldela.directory.sources.SourceSettingsException.class).hasMessageContaining("give the token again");
        assertThat(sources.find(id).orElseThrow().url()).isEqualTo(server.baseUrl() + "/v2");
        sources.update(id, new ImportSources.Settings(bearerName, ImportSources.Kind.SS12000, "http://127.0.0.1:1/ss12000", "token-for-that-server", 1,
                null, false, false, ImportSources.Auth.BEARER, null, null, null, null), "test", null);
        assertThat(sources.find(id).orElseThrow().url()).isEqualTo("http://127.0.0.1:1/ss12000");
    }

    /** RFC 7662 at Tilldela's authorization server, as the client itself. */
    private JsonNode introspect(String token) throws Exception {
        String basic = Base64.getEncoder().encodeToString((client.clientId() + ":" + client.clientSecret()).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl() + "/oauth2/introspect"))
                .header("Authorization", "Basic " + basic).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + java.net.URLEncoder.encode(token, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        return json.readTree(answer.body());
    }
}
