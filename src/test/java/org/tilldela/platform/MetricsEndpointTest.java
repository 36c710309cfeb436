package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.tilldela.IntegrationTest;
import org.tilldela.directory.generator.MunicipalityGenerator;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.oneroster.OneRosterReader;

/**
 * {@code /actuator/prometheus} opens only to its own credentials (the bearer token in the data directory's secret file,
 * or the metrics user's hashed password), never to nobody or to a wrong token, and after an import shows its duration
 * and rows, next to the ledger's and the token endpoint's counters and Spring's HTTP latencies.
 */
class MetricsEndpointTest extends IntegrationTest {

    @Autowired ImportRuns imports;

    @TempDir Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();
    private final Path tokenFile = dataDir().resolve(SecretFiles.FOLDER).resolve("metrics-token");

    @AfterEach
    void removeToken() throws Exception {
        Files.deleteIfExists(tokenFile);
    }

    @Test
    void theScrapeNeedsItsOwnCredentialsAndShowsAnImportsDurationAndRows() throws Exception {
        // no token file yet: nothing opens it, not even a guess
        assertThat(scrape(null).statusCode()).isEqualTo(401);
        assertThat(scrape("Bearer ").statusCode()).isEqualTo(401);

        String token = UUID.randomUUID().toString();
        Files.createDirectories(tokenFile.getParent());
        Files.writeString(tokenFile, token + "\n", StandardCharsets.UTF_8);
        assertThat(scrape(null).statusCode()).isEqualTo(401);
        assertThat(scrape("Bearer wrong-" + token).statusCode()).isEqualTo(401);
        assertThat(scrape(basic("metrics", token)).statusCode()).as("no password hash configured: no Basic").isEqualTo(401);

        String source = "metrics-" + UUID.randomUUID().toString().substring(0, 8);
        Path zip = tmp.resolve("town.zip");
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(60, 7, "sv", 0, 0)).writeTo(zip);
        imports.runNow("ONEROSTER", new ImportOptions(source, false, "test"), new OneRosterReader(zip, "town.zip"), ImportProgress.NONE, "town.zip");

        HttpResponse<String> scraped = scrape("Bearer " + token);
        assertThat(scraped.statusCode()).isEqualTo(200);
        assertThat(scraped.body())
                .contains("tilldela_import_duration_seconds_count{outcome=\"succeeded\",source=\"" + source + "\"} 1")
                .containsPattern("tilldela_import_rows_total\\{change=\"created\",entity=\"persons\"} \\d+")
                .contains("tilldela_ledger_appends_total")
                .contains("tilldela_sso_tokens_issued_total{type=\"access_token\"}")
                .contains("http_server_requests_seconds_count");
    }

    @Test
    void theMetricsUserSignsInWithThePasswordWhoseHashIsConfigured() {
        String hash = PasswordEncoderFactories.createDelegatingPasswordEncoder().encode("scrape-secret");
        var credentials = new MetricsAccess.MetricsCredentials(tmp.resolve("no-token-file"), "metrics", hash);
        assertThat(credentials.accept(basic("metrics", "scrape-secret"))).isTrue();
        assertThat(credentials.accept(basic("metrics", "scrape-secreT"))).isFalse();
        assertThat(credentials.accept(basic("admin", "scrape-secret"))).isFalse();
        assertThat(credentials.accept("Basic not-base64!")).isFalse();
        assertThat(credentials.accept("Bearer anything")).as("no token file").isFalse();
        assertThat(new MetricsAccess.MetricsCredentials(tmp.resolve("no-token-file"), "metrics", "").accept(basic("metrics", ""))).isFalse();
    }

    private HttpResponse<String> scrape(String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/prometheus")).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
