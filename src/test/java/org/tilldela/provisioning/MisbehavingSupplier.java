package org.tilldela.provisioning;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A supplier whose SCIM service misbehaves in one way on every request: the failures a real one shows (server
 * errors, rate limiting, hanging, broken JSON). It stands in for the failures only; interoperability is tested
 * against {@link ScimTestServer}.
 */
final class MisbehavingSupplier implements AutoCloseable {

    enum Mode { SERVER_ERROR, TOO_MANY_REQUESTS, HANG, MALFORMED_JSON }

    final Mode mode;
    final List<Instant> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    MisbehavingSupplier(Mode mode) throws IOException {
        this.mode = mode;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            requests.add(Instant.now());
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().set("Content-Type", "application/scim+json");
                switch (mode) {
                    case SERVER_ERROR -> send(exchange, 500,
                            "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],\"status\":\"500\",\"detail\":\"Database on fire\"}");
                    case TOO_MANY_REQUESTS -> {
                        exchange.getResponseHeaders().set("Retry-After", "1");
                        send(exchange, 429, "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],\"status\":\"429\",\"detail\":\"Slow down\"}");
                    }
                    case HANG -> {
                        try {
                            Thread.sleep(30_000);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    case MALFORMED_JSON -> send(exchange, exchange.getRequestMethod().equals("POST") ? 201 : 200, "{\"schemas\": [\"urn:ietf:params:scim:");
                }
            }
        });
        server.start();
    }

    private static void send(com.sun.net.httpserver.HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/scim/v2";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
