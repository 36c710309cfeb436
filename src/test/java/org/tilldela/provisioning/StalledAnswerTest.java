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
                assertThat(failure.reason()).contains("HttpTimeoutException");
            }
        } finally {
            server.stop(0);
        }
    }
}
