package org.tilldela.directory.ss12000;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import tools.jackson.databind.json.JsonMapper;

/**
 * A small SS 12000 server for tests, on the JDK's HttpServer: serves the lists it is given in pages of
 * {@link #pageSize} with opaque page tokens (which need strict URL encoding), filters on
 * {@code meta.modified.after} and answers {@code /deletedEntities?after=}. Like a real server it refuses a
 * filter combined with a pageToken. Records every request.
 */
final class FakeSs12000Server implements AutoCloseable {

    record Request(String path, Map<String, String> query, String authorization, String method, String body) {
    }

    /** A subscription as made by POST /subscriptions: the request body as sent, and what the server keeps. */
    record Subscription(String id, String body, String target, Instant expires) {
    }

    private record Deleted(String type, String id, Instant at) {
    }

    private final HttpServer server;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<String, List<Map<String, Object>>> lists = new ConcurrentHashMap<>();
    private final List<Deleted> deleted = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final Map<String, String> rawBodies = new ConcurrentHashMap<>();
    /** An endpoint whose pages are empty and whose page tokens go round in a circle (A, B, A, …); null: none. */
    volatile String circlingPageTokens;
    final List<Request> requests = new CopyOnWriteArrayList<>();
    volatile int pageSize = 2;
    /** Answer /organisations as Skolverket's subset does: {"organisations": [...]}, no paging. */
    volatile boolean skolverketOrganisations;
    /** Wait this long before answering a list: a slow server, so that two runs would overlap. */
    volatile long delayMillis;
    /** How long a subscription lasts (the spec leaves it to the server). */
    volatile java.time.Duration subscriptionLifetime = java.time.Duration.ofDays(7);
    final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    /** When set, POST /token answers with this access token (an OAuth token endpoint beside the API, behind the same TLS). */
    volatile String accessToken;
    /** The bodies POSTed to /log, as sent. */
    final List<String> logEntries = new CopyOnWriteArrayList<>();

    FakeSs12000Server() throws IOException {
        this(null);
    }

    /**
     * Over HTTPS when {@code tls} is given (the server's certificate, and the CAs whose client certificates it accepts),
     * demanding a client certificate: no certificate of a CA it trusts, no connection.
     */
    FakeSs12000Server(javax.net.ssl.SSLContext tls) throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls == null) {
            server = HttpServer.create(loopback, 0);
        } else {
            com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(loopback, 0);
            https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls) {
                @Override
                public void configure(com.sun.net.httpserver.HttpsParameters params) {
                    javax.net.ssl.SSLParameters parameters = tls.getDefaultSSLParameters();
                    parameters.setNeedClientAuth(true);
                    params.setSSLParameters(parameters);
                }
            });
            server = https;
        }
        server.createContext("/", this::handle);
        server.start();
    }

    String baseUrl() {
        return (server instanceof com.sun.net.httpserver.HttpsServer ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort() + "/ss12000/v2";
    }

    void put(String endpoint, List<Map<String, Object>> items) {
        lists.put(endpoint, new CopyOnWriteArrayList<>(items));
    }

    /** Replaces the item with the same id (or adds it), as modified now. */
    void modify(String endpoint, Map<String, Object> item) {
        item.put("meta", Map.of("created", "2020-01-01T00:00:00Z", "modified", Instant.now().toString()));
        List<Map<String, Object>> list = lists.get(endpoint);
        list.removeIf(i -> i.get("id").equals(item.get("id")));
        list.add(item);
    }

    /** Removes the item and lists it in /deletedEntities. */
    void delete(String endpoint, String type, String id) {
        lists.get(endpoint).removeIf(i -> i.get("id").equals(id));
        deleted.add(new Deleted(type, id, Instant.now()));
    }

    void fail(String endpoint, int status) {
        failures.put(endpoint, status);
    }

    void recover(String endpoint) {
        failures.remove(endpoint);
    }

    void answerRaw(String endpoint, String body) {
        rawBodies.put(endpoint, body);
    }

    List<Request> requestsTo(String endpoint) {
        return requests.stream().filter(r -> r.path().equals(endpoint)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().replaceFirst("^/ss12000/v2", "");
            Map<String, String> query = parse(exchange.getRequestURI().getRawQuery());
            String method = exchange.getRequestMethod();
            String requestBody = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(path, query, exchange.getRequestHeaders().getFirst("Authorization"), method, requestBody));
            Integer failure = failures.get(path);
            if (failure != null) {
                respond(exchange, failure, json.writeValueAsBytes(Map.of("code", "ERR", "message", "synthetic failure with Doe, Jane inside")));
                return;
            }
            if (path.equals("/token") && method.equals("POST") && accessToken != null) {
                respond(exchange, 200, json.writeValueAsBytes(Map.of("access_token", accessToken, "token_type", "Bearer", "expires_in", 300)));
                return;
            }
            if (path.equals("/log") && method.equals("POST")) {
                logEntries.add(requestBody);
                exchange.sendResponseHeaders(201, -1); // the spec's "Log entry created", no body
                return;
            }
            if (path.equals("/subscriptions") || path.startsWith("/subscriptions/")) {
                subscription(exchange, method, path, requestBody);
                return;
            }
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (path.equals(circlingPageTokens)) {
                respond(exchange, 200, json.writeValueAsBytes(Map.of("data", List.of(), "pageToken", "A".equals(query.get("pageToken")) ? "B" : "A")));
                return;
            }
            String raw = rawBodies.get(path);
            if (raw != null) {
                respond(exchange, 200, raw.getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (query.containsKey("pageToken") && (query.containsKey("meta.modified.after") || query.containsKey("after"))) {
                respond(exchange, 400, json.writeValueAsBytes(Map.of("code", "BAD", "message", "filters cannot be combined with pageToken")));
                return;
            }
            if (path.equals("/deletedEntities")) {
                Instant after = Instant.parse(query.get("after"));
                Map<String, List<String>> data = new LinkedHashMap<>();
                for (Deleted d : deleted) {
                    if (!d.at().isBefore(after)) {
                        data.computeIfAbsent(d.type(), t -> new ArrayList<>()).add(d.id());
                    }
                }
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("data", data);
                body.put("pageToken", null);
                respond(exchange, 200, json.writeValueAsBytes(body));
                return;
            }
            List<Map<String, Object>> list = lists.get(path);
            if (list == null) {
                respond(exchange, 404, json.writeValueAsBytes(Map.of("code", "NOT_FOUND", "message", "no such endpoint")));
                return;
            }
            if (path.equals("/organisations") && skolverketOrganisations) {
                respond(exchange, 200, json.writeValueAsBytes(Map.of("organisations", list)));
                return;
            }
            int offset = 0;
            String after = query.get("meta.modified.after");
            if (query.containsKey("pageToken")) {
                String[] state = new String(Base64.getDecoder().decode(query.get("pageToken")), StandardCharsets.UTF_8).split("\\|", -1);
                offset = Integer.parseInt(state[0]);
                after = state[1].isEmpty() ? null : state[1];
            }
            List<Map<String, Object>> matching = new ArrayList<>();
            for (Map<String, Object> item : list) {
                if (after == null || modified(item).compareTo(Instant.parse(after)) >= 0) {
                    matching.add(item);
                }
            }
            int end = Math.min(matching.size(), offset + pageSize);
            Map<String, Object> body = new LinkedHashMap<>();
            // pageToken first, data second: a client must not depend on the order.
            body.put("pageToken", end < matching.size() ? token(end, after) : null);
            body.put("data", matching.subList(offset, end));
            respond(exchange, 200, json.writeValueAsBytes(body));
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    /** POST makes one (201, the spec's Subscription), PATCH extends it (200), DELETE ends it (204); an unknown id is 404. */
    private void subscription(HttpExchange exchange, String method, String path, String body) throws IOException {
        if (path.equals("/subscriptions") && method.equals("POST")) {
            Map<String, Object> request = json.readValue(body, Map.class);
            String id = java.util.UUID.randomUUID().toString();
            Subscription made = new Subscription(id, body, (String) request.get("target"), Instant.now().plus(subscriptionLifetime));
            subscriptions.put(id, made);
            respond(exchange, 201, json.writeValueAsBytes(answer(request, made)));
            return;
        }
        String id = path.substring("/subscriptions/".length());
        Subscription existing = subscriptions.get(id);
        if (existing == null) {
            respond(exchange, 404, json.writeValueAsBytes(Map.of("code", "NOT_FOUND", "message", "no such subscription")));
        } else if (method.equals("PATCH")) {
            Subscription renewed = new Subscription(id, existing.body(), existing.target(), Instant.now().plus(subscriptionLifetime));
            subscriptions.put(id, renewed);
            respond(exchange, 200, json.writeValueAsBytes(answer(json.readValue(existing.body(), Map.class), renewed)));
        } else if (method.equals("DELETE")) {
            subscriptions.remove(id);
            exchange.sendResponseHeaders(204, -1);
        } else {
            respond(exchange, 405, json.writeValueAsBytes(Map.of("code", "METHOD", "message", "not allowed")));
        }
    }

    private static Map<String, Object> answer(Map<String, Object> request, Subscription s) {
        Map<String, Object> answer = new LinkedHashMap<>(request);
        answer.put("id", s.id());
        answer.put("expires", s.expires().toString());
        return answer;
    }

    /**
     * Calls every subscription's webhook as the spec's callback (webhook_callback: modifiedEntites, deletedEntities)
     * and returns the HTTP statuses the webhooks answered.
     */
    List<Integer> notifySubscribers(List<String> modified, boolean deletions) throws IOException, InterruptedException {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        List<Integer> statuses = new ArrayList<>();
        for (Subscription s : subscriptions.values()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("modifiedEntites", modified); // sic: the spec's spelling
            body.put("deletedEntities", deletions);
            statuses.add(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(s.target()))
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body))).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode());
        }
        return statuses;
    }

    /** Opaque, and with characters ('+', '/', '=') that break if the client does not encode them. */
    private static String token(int offset, String after) {
        String state = offset + "|" + (after == null ? "" : after) + "|~~~>>>???";
        return Base64.getEncoder().encodeToString(state.getBytes(StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    private static Instant modified(Map<String, Object> item) {
        Object meta = item.get("meta");
        if (meta instanceof Map<?, ?> m && m.get("modified") != null) {
            return Instant.parse((String) ((Map<String, Object>) m).get("modified"));
        }
        return Instant.EPOCH;
    }

    private static Map<String, String> parse(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(name, value);
        }
        return out;
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
