package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.tilldela.IntegrationTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * With the request log switched on, each request is one JSON line naming the route's template, never the path with its
 * ids; switched off (the default) nothing is written.
 */
@ExtendWith(OutputCaptureExtension.class)
class RequestLogTest extends IntegrationTest {

    private final LoggingSystem logging = LoggingSystem.get(RequestLogTest.class.getClassLoader());

    @AfterEach
    void off() {
        logging.setLogLevel("org.tilldela.requests", LogLevel.OFF);
    }

    @Test
    void oneJsonLinePerRequestWithTheRouteNotThePath(CapturedOutput output) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String id = UUID.randomUUID().toString();
        http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/api/v1/imports/" + id)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(output.getAll()).doesNotContain("\"route\"");

        logging.setLogLevel("org.tilldela.requests", LogLevel.INFO);
        String admin = "reqlog-" + id.substring(0, 8);
        http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health")).GET().build(), HttpResponse.BodyHandlers.ofString());
        http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/login?user=" + admin)).GET().build(), HttpResponse.BodyHandlers.ofString());

        String lines = output.getAll();
        assertThat(lines).doesNotContain(admin).doesNotContain(id);
        String login = lines.lines().filter(l -> l.contains("\"route\":\"/login\"")).findFirst().orElseThrow(() -> new AssertionError(lines));
        JsonNode json = JsonMapper.builder().build().readTree(login.substring(login.indexOf('{')));
        assertThat(json.get("method").asString()).isEqualTo("GET");
        assertThat(json.get("status").asInt()).isEqualTo(200);
        assertThat(json.get("ms").asLong()).isNotNegative();
        assertThat(json.propertyNames()).containsExactly("method", "route", "status", "ms");
    }
}
