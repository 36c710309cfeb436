package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchException;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The connector timeout bounds the whole exchange: a supplier that answers with headers and then stops its body,
 * or trickles it a byte at a time (each byte well within the timeout), fails the call within about the timeout
 * with a retriable failure instead of holding the worker for ever.
 */
class StalledAnswerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anAnswerWhoseBodyStallsFailsWithinTheTimeout(boolean trickle) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().set("Content-Type", "application/scim+json");
                byte[] start = "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, 100_000); // promises a body it never finishes
                OutputStream body = exchange.getResponseBody();
                body.write(start);
                body.flush();
                for (int i = 0; i < 300; i++) { // at most 60 s, far beyond the timeout
                    Thread.sleep(200);
                    if (trickle) {
                        body.write(' ');
                        body.flush();
                    }
                }
            } catch (InterruptedException | IOException e) {
                // the client gave up: that is the point
            }
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/scim/v2";
            Connectors.Endpoint endpoint = new Connectors.Endpoint(UUID.randomUUID(), base, Connector.Auth.BEARER, "token-" + UUID.randomUUID(), null, null,
                    null, List.of("User"), Instant.now(), Connector.Profile.SCIM_CORE, null, null, null);
            try (ScimClient scim = new ScimClient(endpoint, TIMEOUT, new ConnectorHosts("127.0.0.1:*"))) {
                long started = System.nanoTime();
                Exception e = catchException(() -> scim.findByExternalId(UUID.randomUUID().toString()));
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                assertThat(e).as("the stalled answer fails the call").isNotNull();
                assertThat(took).as("within about the timeout").isLessThan(TIMEOUT.plusSeconds(3));
                ProvisioningWorker.Failure failure = ProvisioningWorker.Failure.of(e, null);
                assertThat(failure.retriable()).as(failure.reason()).isTrue();
                assertThat(failure.reason()).contains("HttpTimeoutException").containsIgnoringCase("timed out");
            }
        } finally {
            server.stop(0);
        }
    }

    /**
     * The token endpoint's exchange (OAuth client credentials, by Nimbus) is bounded the same way: a connector whose
     * token endpoint stalls fails its call within the timeout (retriable); one that answers whole gets its token and
     * sends it to the SCIM endpoint.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aTokenEndpointThatStallsFailsWithinTheTimeout(boolean stall) throws Exception {
        String token = "at-" + UUID.randomUUID();
        java.util.concurrent.atomic.AtomicReference<String> presented = new java.util.concurrent.atomic.AtomicReference<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/token", exchange -> {
            try (exchange) {
                String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                boolean basic = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")).startsWith("Basic ");
                byte[] answer = ("{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":300}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                if (!basic || !form.contains("grant_type=client_credentials")) {
                    exchange.sendResponseHeaders(400, -1);
                    return;
                }
                exchange.sendResponseHeaders(200, stall ? 100_000 : answer.length);
                OutputStream body = exchange.getResponseBody();
                body.write(answer, 0, stall ? 10 : answer.length);
                body.flush();
                for (int i = 0; stall && i < 300; i++) {
                    Thread.sleep(200);
                    body.write(' ');
                    body.flush();
                }
            } catch (InterruptedException | IOException e) {
                // the client gave up
            }
        });
        server.createContext("/scim/v2/Users", exchange -> {
            try (exchange) {
                presented.set(exchange.getRequestHeaders().getFirst("Authorization"));
                byte[] empty = "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],\"totalResults\":0,\"Resources\":[]}"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/scim+json");
                exchange.sendResponseHeaders(200, empty.length);
                exchange.getResponseBody().write(empty);
            }
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            Connectors.Endpoint endpoint = new Connectors.Endpoint(UUID.randomUUID(), base + "/scim/v2", Connector.Auth.OAUTH_CLIENT_CREDENTIALS, null,
                    base + "/token", "tilldela", "secret-" + UUID.randomUUID(), List.of("User"), Instant.now(), Connector.Profile.SCIM_CORE, null, null, null);
            try (ScimClient scim = new ScimClient(endpoint, TIMEOUT, new ConnectorHosts("127.0.0.1:*"))) {
                long started = System.nanoTime();
                Exception e = catchException(() -> scim.findByExternalId(UUID.randomUUID().toString()));
                if (stall) {
                    assertThat(e).as("the stalled token answer fails the call").isNotNull();
                    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("within about the timeout").isLessThan(TIMEOUT.plusSeconds(3));
                    ProvisioningWorker.Failure failure = ProvisioningWorker.Failure.of(e, null);
                    assertThat(failure.retriable()).as(failure.reason()).isTrue();
                    assertThat(failure.reason()).containsIgnoringCase("timed out");
                    assertThat(presented.get()).as("nothing reached the SCIM endpoint").isNull();
                } else {
                    assertThat(e).isNull();
                    assertThat(presented.get()).isEqualTo("Bearer " + token);
                }
            }
        } finally {
            server.stop(0);
        }
    }

    /** An answer larger than {@link JdkHttpConnector#LARGEST_ANSWER} is refused (retriable), never held in memory whole. */
    @org.junit.jupiter.api.Test
    void anAnswerTooLargeIsRefused() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getResponseHeaders().set("Content-Type", "application/scim+json");
                exchange.sendResponseHeaders(200, 0); // chunked, no length promised
                byte[] spaces = new byte[1 << 20];
                java.util.Arrays.fill(spaces, (byte) ' ');
                OutputStream body = exchange.getResponseBody();
                for (int i = 0; i <= JdkHttpConnector.LARGEST_ANSWER / spaces.length; i++) {
                    body.write(spaces);
                }
            } catch (IOException e) {
                // the client gave up: that is the point
            }
        });
        server.start();
        try {
            Connectors.Endpoint endpoint = new Connectors.Endpoint(UUID.randomUUID(), "http://127.0.0.1:" + server.getAddress().getPort() + "/scim/v2",
                    Connector.Auth.BEARER, "token-" + UUID.randomUUID(), null, null, null, List.of("User"), Instant.now(), Connector.Profile.SCIM_CORE,
                    null, null, null);
            try (ScimClient scim = new ScimClient(endpoint, Duration.ofSeconds(20), new ConnectorHosts("127.0.0.1:*"))) {
                Exception e = catchException(() -> scim.findByExternalId(UUID.randomUUID().toString()));
                ProvisioningWorker.Failure failure = ProvisioningWorker.Failure.of(e, null);
                assertThat(failure.retriable()).as(failure.reason()).isTrue();
                assertThat(failure.reason()).contains("larger than " + JdkHttpConnector.LARGEST_ANSWER);
            }
        } finally {
            server.stop(0);
        }
    }
}
