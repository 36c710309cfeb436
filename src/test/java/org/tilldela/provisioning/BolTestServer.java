package org.tilldela.provisioning;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A publisher's BOL service for the tests, written from BOL 1.2 (Sambruk): {@code /v1/orders/create},
 * {@code /v1/assignments/create} and {@code /v1/assignments/delete} over POST with a bearer token. Every request it gets,
 * every answer it gives and every later answer it posts to an order's responseUrl is checked against the OpenAPI document
 * {@code bol/bol-orders-and-assignments.yaml} by Atlassian's OpenAPI validator; a request that does not validate is refused
 * with 400 (a problem, as BOL answers) and kept in {@link #violations}, which a test expects empty.
 */
final class BolTestServer implements AutoCloseable {

    /** How the publisher answers an order. */
    enum Orders {
        /** Delivered at once, with one licence key per seat. */
        DELIVER,
        /** Being processed: the answer comes later, to the responseUrl ({@link #deliverLater}); refused without one, as BOL says. */
        LATER,
        /** Refused (400) as the publisher does not sell the article. */
        REFUSE,
        /** The service is down (503). */
        DOWN
    }

    /** The bearer token it takes (null: mutual TLS, no token). */
    final String token;
    final String serviceProviderId = "forlaget.example";
    final List<String> violations = new CopyOnWriteArrayList<>();
    /** The clientOrderNumber of every order request, answered or refused. */
    final List<String> orderNumbersSeen = new CopyOnWriteArrayList<>();
    /** The orders received, as sent. */
    final List<JsonNode> orders = new CopyOnWriteArrayList<>();
    /** The assignments the publisher holds, by clientAssignmentId: the line as sent, with the school it was sent for. */
    final Map<String, ObjectNode> assignments = new ConcurrentHashMap<>();
    final AtomicInteger requests = new AtomicInteger();
    volatile Orders orderMode = Orders.DELIVER;
    /** Whether the publisher offers BOL's per-user listing ({@code /v1/school-units/users/licenses}); without it, 404. */
    volatile boolean perUser = true;
    /** How long an assignment request is answered after (a slow publisher: requests of two workers overlap). */
    volatile long assignDelayMillis;
    /** The users (by id as sent) who have opened their licence. */
    final java.util.Set<String> used = ConcurrentHashMap.newKeySet();

    private final HttpServer server;
    private final OpenApiInteractionValidator validator;
    private final JsonMapper json = JsonMapper.builder().build();

    BolTestServer() throws IOException {
        this(null);
    }

    /**
     * With {@code tls}: over HTTPS that needs a client certificate of a CA the context trusts (BOL's preferred mutual
     * TLS), and no token; without: plain HTTP on the loopback address with a bearer token.
     */
    BolTestServer(javax.net.ssl.SSLContext tls) throws IOException {
        token = tls == null ? "bol-" + java.util.UUID.randomUUID() : null;
        String spec;
        try (InputStream in = BolTestServer.class.getResourceAsStream("/bol/bol-orders-and-assignments.yaml")) {
            spec = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        validator = OpenApiInteractionValidator.createForInlineApiSpecification(spec).build();
        if (tls == null) {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } else {
            com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls) {
                @Override
                public void configure(com.sun.net.httpserver.HttpsParameters params) {
                    javax.net.ssl.SSLParameters parameters = tls.getDefaultSSLParameters();
                    parameters.setNeedClientAuth(true); // no certificate, no connection
                    params.setSSLParameters(parameters);
                }
            });
            server = https;
        }
        server.createContext("/", this::handle);
        server.start();
    }

    String baseUrl() {
        return (token == null ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            String path = exchange.getRequestURI().getPath();
            if (!"POST".equals(exchange.getRequestMethod())) {
                answer(exchange, path, 405, null);
                return;
            }
            if (token != null && !("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                answer(exchange, path, 401, null);
                return;
            }
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            ValidationReport report = validator.validateRequest(SimpleRequest.Builder.post(path)
                    .withContentType(exchange.getRequestHeaders().getFirst("Content-Type")).withBody(body).build());
            if (report.hasErrors()) {
                violations.add(path + " request: " + report.getMessages());
                answer(exchange, path, 400, problem(400, "Bad Request", report.getMessages().toString()));
                return;
            }
            JsonNode request = json.readTree(body);
            switch (path) {
                case "/v1/orders/create" -> order(exchange, path, request);
                case "/v1/hybrids/activate" -> activate(exchange, path, request);
                case "/v1/assignments/create" -> assign(exchange, path, request);
                case "/v1/assignments/delete" -> unassign(exchange, path, request);
                case "/v1/school-units/users/licenses" -> {
                    if (perUser) {
                        schoolUsers(exchange, path, request);
                    } else {
                        answer(exchange, path, 404, null);
                    }
                }
                case "/v1/school-units/licenses" -> schoolTotals(exchange, path, request);
                case "/v1/users/licenses" -> userLicences(exchange, path, request);
                default -> answer(exchange, path, 404, null);
            }
        } catch (RuntimeException e) {
            violations.add("the test server failed: " + e);
        }
    }

    private void order(HttpExchange exchange, String path, JsonNode request) throws IOException {
        orderNumbersSeen.add(request.path("clientOrderNumber").asString());
        switch (orderMode) {
            case DOWN -> {
                answer(exchange, path, 503, null);
                return;
            }
            case REFUSE -> {
                answer(exchange, path, 400, problem(400, "Bad Request", "The article is not sold to this client."));
                return;
            }
            case LATER -> {
                if (request.path("responseUrl").isMissingNode() || request.path("responseUrl").isNull()) {
                    answer(exchange, path, 400, problem(400, "Bad Request", "No responseUrl: this order cannot be answered at once."));
                    return;
                }
            }
            default -> {
            }
        }
        orders.add(request);
        answer(exchange, path, 200, orderResponse(request, orderMode == Orders.DELIVER ? "delivered" : "beingProcessed"));
    }

    /** The activations received, as sent. */
    final List<JsonNode> activations = new CopyOnWriteArrayList<>();

    /**
     * Activates hybrid articles' digital licences: each article holds two digital parts (a pupil's book and its exercises),
     * each delivered with a key per seat — two answer lines per line asked for, as BOL allows.
     */
    private void activate(HttpExchange exchange, String path, JsonNode request) throws IOException {
        activations.add(request);
        ObjectNode response = head(request);
        response.put("clientActivationId", request.path("clientActivationId").asString());
        ArrayNode lines = response.putArray("activationLines");
        for (JsonNode line : request.path("activationLines")) {
            for (String part : List.of("ELEV", "OVN")) {
                ObjectNode out = lines.addObject();
                out.put("clientOrderLineId", line.path("clientOrderLineId").asString());
                out.put("orderRowReference", line.path("orderRowReference").asString());
                out.put("articleNumber", line.path("articleNumber").asString() + "-" + part);
                out.put("quantity", line.path("quantity").asInt());
                out.put("validFromDate", LocalDate.now().toString());
                out.put("validToDate", LocalDate.now().plusYears(1).minusDays(1).toString());
                ArrayNode keys = out.putArray("licenseKeys");
                for (int i = 0; i < line.path("quantity").asInt(); i++) {
                    keys.add("KEY-" + line.path("articleNumber").asString() + "-" + part + "-" + i);
                }
                out.put("status", "delivered");
            }
        }
        answer(exchange, path, 200, response);
    }

    /** The answer to an order: every line in {@code status}, delivered ones with a key per seat and a year's validity. */
    private ObjectNode orderResponse(JsonNode request, String status) {
        ObjectNode response = json.createObjectNode();
        response.put("clientId", request.path("clientId").asString());
        response.put("serviceProviderId", serviceProviderId);
        response.put("clientOrderNumber", request.path("clientOrderNumber").asString());
        ArrayNode lines = response.putArray("orderLines");
        for (JsonNode line : request.path("orderLines")) {
            ObjectNode out = lines.addObject();
            out.put("clientOrderLineId", line.path("clientOrderLineId").asString());
            out.put("articleNumber", line.path("articleNumber").asString());
            out.put("quantity", line.path("quantity").asInt());
            out.put("status", status);
            if (status.equals("delivered")) {
                out.put("validFromDate", LocalDate.now().toString());
                out.put("validToDate", LocalDate.now().plusYears(1).minusDays(1).toString());
                ArrayNode keys = out.putArray("licenseKeys");
                for (int i = 0; i < line.path("quantity").asInt(); i++) {
                    keys.add("KEY-" + line.path("articleNumber").asString() + "-" + i);
                }
            } else if (status.equals("backordered")) {
                out.put("deliveryDate", LocalDate.now().plusDays(14).toString());
            }
        }
        return response;
    }

    /**
     * The publisher posts its later answer for the last order to its responseUrl: every line in {@code status}. The answer
     * is checked against the OpenAPI document first; answers Tilldela's HTTP status.
     */
    int deliverLater(String status) throws IOException, InterruptedException {
        JsonNode order = orders.getLast();
        return postTo(order.path("responseUrl").asString(), json.writeValueAsString(orderResponse(order, status)));
    }

    /** Posts {@code body} to a responseUrl as the publisher would (validated as an OrderResponse first); answers the status. */
    int postTo(String responseUrl, String body) throws IOException, InterruptedException {
        ValidationReport report = validator.validateResponse("/v1/orders/create", Request.Method.POST,
                SimpleResponse.Builder.ok().withContentType("application/json").withBody(body).build());
        if (report.hasErrors()) {
            violations.add("later answer: " + report.getMessages());
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create(responseUrl)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    private void assign(HttpExchange exchange, String path, JsonNode request) throws IOException {
        if (assignDelayMillis > 0) {
            try {
                Thread.sleep(assignDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ObjectNode response = head(request);
        ArrayNode results = response.putArray("assignments");
        for (JsonNode line : request.path("assignments")) {
            ObjectNode held = ((ObjectNode) line).deepCopy();
            held.set("school", request.path("school"));
            assignments.put(line.path("clientAssignmentId").asString(), held);
            ObjectNode r = results.addObject();
            r.put("clientAssignmentId", line.path("clientAssignmentId").asString());
            r.put("articleUrl", "https://forlaget.example/las/" + line.path("articleNumber").asString());
            r.put("status", "assigned");
        }
        answer(exchange, path, 200, response);
    }

    private void unassign(HttpExchange exchange, String path, JsonNode request) throws IOException {
        ObjectNode response = head(request);
        ArrayNode results = response.putArray("assignments");
        for (JsonNode line : request.path("assignments")) {
            boolean held = assignments.remove(line.path("clientAssignmentId").asString()) != null;
            ObjectNode r = results.addObject();
            r.put("clientAssignmentId", line.path("clientAssignmentId").asString());
            r.put("status", held ? "unassigned" : "failed");
            if (!held) {
                r.put("errorMessage", "No such assignment.");
            }
        }
        answer(exchange, path, 200, response);
    }

    /** One school's users with their licences (used or not), and per order line the licences it still has unassigned. */
    private void schoolUsers(HttpExchange exchange, String path, JsonNode request) throws IOException {
        ObjectNode response = head(request);
        ArrayNode users = response.putArray("users");
        Map<String, ArrayNode> byUser = new LinkedHashMap<>();
        Map<String, Integer> assignedPerLine = new LinkedHashMap<>();
        for (ObjectNode a : assignments.values()) {
            if (!sameSchool(a.path("school"), request.path("school"))) {
                continue;
            }
            String user = a.path("user").path("id").asString();
            ArrayNode licences = byUser.computeIfAbsent(user, u -> {
                ObjectNode entry = users.addObject();
                entry.put("idSource", a.path("user").path("idSource").asString());
                entry.put("id", u);
                return entry.putArray("assignedLicenses");
            });
            ObjectNode licence = licences.addObject();
            licence.put("clientOrderLineId", a.path("clientOrderLineId").asString());
            licence.put("articleNumber", a.path("articleNumber").asString());
            licence.put("articleName", "Artikel " + a.path("articleNumber").asString());
            licence.put("articleUrl", "https://forlaget.example/las/" + a.path("articleNumber").asString());
            licence.put("used", used.contains(user));
            assignedPerLine.merge(a.path("clientOrderLineId").asString(), 1, Integer::sum);
        }
        ArrayNode unassigned = response.putArray("unassignedLicenses");
        for (JsonNode order : orders) {
            for (JsonNode line : order.path("orderLines")) {
                String id = line.path("clientOrderLineId").asString();
                if (assignedPerLine.containsKey(id) && line.path("quantity").asInt() > assignedPerLine.get(id)) {
                    ObjectNode free = unassigned.addObject();
                    free.put("clientOrderLineId", id);
                    free.put("articleNumber", line.path("articleNumber").asString());
                    free.put("quantity", line.path("quantity").asInt() - assignedPerLine.get(id));
                    free.put("articleName", "Artikel " + line.path("articleNumber").asString());
                }
            }
        }
        answer(exchange, path, 200, response);
    }

    /** Totals per school and article: the assignments held there, and how many of their users opened theirs. */
    private void schoolTotals(HttpExchange exchange, String path, JsonNode request) throws IOException {
        ObjectNode response = head(request);
        ArrayNode schools = response.putArray("schools");
        for (JsonNode school : request.path("schools")) {
            ObjectNode out = schools.addObject();
            out.put("idSource", school.path("idSource").asString());
            out.put("id", school.path("id").asString());
            ArrayNode articles = out.putArray("articles");
            Map<String, int[]> perArticle = new LinkedHashMap<>();
            assignments.values().stream().filter(a -> sameSchool(a.path("school"), school)).forEach(a -> {
                int[] n = perArticle.computeIfAbsent(a.path("articleNumber").asString(), k -> new int[2]);
                n[0]++;
                n[1] += used.contains(a.path("user").path("id").asString()) ? 1 : 0;
            });
            perArticle.forEach((article, n) -> {
                ObjectNode a = articles.addObject();
                a.put("articleNumber", article);
                a.put("articleName", "Artikel " + article);
                a.put("totalLicenses", n[0]);
                a.put("assignedLicenses", n[0]);
                a.put("unassignedLicenses", 0);
                a.put("usedLicenses", n[1]);
            });
        }
        answer(exchange, path, 200, response);
    }

    /** One user's licences, per school: the assignments held for that user id. */
    private void userLicences(HttpExchange exchange, String path, JsonNode request) throws IOException {
        ObjectNode response = head(request);
        ArrayNode schools = response.putArray("schools");
        Map<String, ArrayNode> bySchool = new LinkedHashMap<>();
        assignments.values().stream()
                .filter(a -> a.path("user").path("idSource").asString().equals(request.path("user").path("idSource").asString())
                        && a.path("user").path("id").asString().equals(request.path("user").path("id").asString()))
                .forEach(a -> {
                    ArrayNode licences = bySchool.computeIfAbsent(a.path("school").path("idSource").asString() + "/" + a.path("school").path("id").asString(),
                            k -> {
                                ObjectNode school = schools.addObject();
                                school.put("idSource", a.path("school").path("idSource").asString());
                                school.put("id", a.path("school").path("id").asString());
                                return school.putArray("assignedLicenses");
                            });
                    ObjectNode licence = licences.addObject();
                    licence.put("articleNumber", a.path("articleNumber").asString());
                    licence.put("articleName", "Artikel " + a.path("articleNumber").asString());
                    licence.put("validFromDate", LocalDate.now().toString());
                    licence.put("validToDate", LocalDate.now().plusYears(1).minusDays(1).toString());
                    licence.put("articleUrl", "https://forlaget.example/las/" + a.path("articleNumber").asString());
                });
        answer(exchange, path, 200, response);
    }

    private static boolean sameSchool(JsonNode a, JsonNode b) {
        return a.path("idSource").asString().equals(b.path("idSource").asString()) && a.path("id").asString().equals(b.path("id").asString());
    }

    private ObjectNode head(JsonNode request) {
        ObjectNode response = json.createObjectNode();
        response.put("clientId", request.path("clientId").asString());
        response.put("serviceProviderId", serviceProviderId);
        return response;
    }

    private ObjectNode problem(int status, String title, String detail) {
        ObjectNode problem = json.createObjectNode();
        problem.put("type", "about:blank");
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", detail);
        return problem;
    }

    /** Sends the answer — checked against the document first, for the statuses it defines. */
    private void answer(HttpExchange exchange, String path, int status, ObjectNode body) throws IOException {
        byte[] bytes = body == null ? new byte[0] : json.writeValueAsBytes(body);
        String type = status == 200 ? "application/json" : "application/problem+json";
        if (body != null && (status == 200 || status == 400 || status == 409)) {
            ValidationReport report = validator.validateResponse(path, Request.Method.POST,
                    SimpleResponse.Builder.status(status).withContentType(type).withBody(new String(bytes, StandardCharsets.UTF_8)).build());
            if (report.hasErrors()) {
                violations.add(path + " answer: " + report.getMessages());
            }
        }
        if (body != null) {
            exchange.getResponseHeaders().set("Content-Type", type);
        }
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    /** The assignments held, as (user id, article, school id) — what the publisher knows of whom. */
    List<Map<String, String>> held() {
        List<Map<String, String>> out = new ArrayList<>();
        assignments.values().forEach(a -> {
            Map<String, String> one = new LinkedHashMap<>();
            one.put("userIdSource", a.path("user").path("idSource").asString());
            one.put("userId", a.path("user").path("id").asString());
            one.put("article", a.path("articleNumber").asString());
            one.put("line", a.path("clientOrderLineId").asString());
            one.put("key", a.path("licenseKey").asString(null));
            one.put("schoolIdSource", a.path("school").path("idSource").asString());
            one.put("schoolId", a.path("school").path("id").asString());
            out.add(one);
        });
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
