package org.tilldela.provisioning.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import de.captaingoldfish.scim.sdk.common.constants.enums.Comparator;
import de.captaingoldfish.scim.sdk.common.constants.enums.HttpMethod;
import de.captaingoldfish.scim.sdk.common.constants.enums.SortOrder;
import de.captaingoldfish.scim.sdk.common.exceptions.ConflictException;
import de.captaingoldfish.scim.sdk.common.exceptions.ResourceNotFoundException;
import de.captaingoldfish.scim.sdk.common.resources.Group;
import de.captaingoldfish.scim.sdk.common.resources.ResourceNode;
import de.captaingoldfish.scim.sdk.common.resources.ServiceProvider;
import de.captaingoldfish.scim.sdk.common.resources.User;
import de.captaingoldfish.scim.sdk.common.resources.complex.BulkConfig;
import de.captaingoldfish.scim.sdk.common.resources.complex.FilterConfig;
import de.captaingoldfish.scim.sdk.common.resources.complex.PatchConfig;
import de.captaingoldfish.scim.sdk.common.response.ScimResponse;
import de.captaingoldfish.scim.sdk.common.schemas.SchemaAttribute;
import de.captaingoldfish.scim.sdk.server.endpoints.Context;
import de.captaingoldfish.scim.sdk.server.endpoints.ResourceEndpoint;
import de.captaingoldfish.scim.sdk.server.endpoints.ResourceHandler;
import de.captaingoldfish.scim.sdk.server.endpoints.base.GroupEndpointDefinition;
import de.captaingoldfish.scim.sdk.server.endpoints.base.UserEndpointDefinition;
import de.captaingoldfish.scim.sdk.server.filter.AttributeExpressionLeaf;
import de.captaingoldfish.scim.sdk.server.filter.FilterNode;
import de.captaingoldfish.scim.sdk.server.response.PartialListResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A supplier's SCIM 2.0 service provider on this machine's loopback address, for the push benchmark and the
 * Bulk interoperability test: Captain Goldfish's SCIM SDK server does the protocol (request routing, schema
 * validation, filters, PATCH, Bulk with {@code bulkId} references, {@code maxOperations}/{@code maxPayloadSize},
 * errors); only the in-memory store and the JDK HTTP server around its request handler are ours. It says in its
 * ServiceProviderConfig whether it offers Bulk, checks a bearer token, and keeps userName unique (409).
 * Writes are taken one at a time (a PATCH of a group reads, changes and stores the whole group).
 */
public final class SupplierScimServer implements AutoCloseable {

    private final String token;
    private final HttpServer server;
    private final ExecutorService threads;
    private final ResourceEndpoint endpoint;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Users users = new Users();
    private final Groups groups = new Groups();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final AtomicLong largestBulkBytes = new AtomicLong();
    private final AtomicLong handlingNanos = new AtomicLong();
    /** Called with the user's externalId when the user is created (the benchmark's stopwatch). */
    private volatile java.util.function.Consumer<String> onCreate = externalId -> {
    };

    /**
     * @param bulk           whether ServiceProviderConfig offers Bulk
     * @param maxOperations  Bulk's maxOperations
     * @param maxPayloadSize Bulk's maxPayloadSize in bytes
     */
    public SupplierScimServer(String token, boolean bulk, int maxOperations, long maxPayloadSize) throws IOException {
        this.token = token;
        ServiceProvider provider = ServiceProvider.builder()
                .patchConfig(PatchConfig.builder().supported(true).build())
                .filterConfig(FilterConfig.builder().supported(true).maxResults(200).build())
                .bulkConfig(BulkConfig.builder().supported(bulk).maxOperations(maxOperations).maxPayloadSize(maxPayloadSize).build())
                .authenticationSchemes(List.of(de.captaingoldfish.scim.sdk.common.resources.multicomplex.AuthenticationScheme.builder()
                        .name("OAuth Bearer Token").description("A bearer token the supplier issued").type("oauthbearertoken").build()))
                .build();
        endpoint = new ResourceEndpoint(provider);
        endpoint.registerEndpoint(new UserEndpointDefinition(users)).getFeatures().setAutoFiltering(true);
        endpoint.registerEndpoint(new GroupEndpointDefinition(groups)).getFeatures().setAutoFiltering(true);
        threads = Executors.newFixedThreadPool(4, Thread.ofPlatform().daemon().name("scim-supplier-", 0).factory());
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        server.setExecutor(threads);
        server.createContext("/scim/v2", this::handle);
        server.start();
    }

    /** The bearer token it takes. */
    public String token() {
        return token;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/scim/v2";
    }

    public void onCreate(java.util.function.Consumer<String> listener) {
        this.onCreate = listener;
    }

    /** The users as stored, by id. */
    public Map<String, User> users() {
        return Map.copyOf(users.store);
    }

    /** The user with this externalId, if any. */
    public Optional<User> userWithExternalId(String externalId) {
        String id = users.byExternalId.get(externalId);
        return id == null ? Optional.empty() : Optional.ofNullable(users.store.get(id));
    }

    /** The users with this externalId (more than one: a duplicate). */
    public long usersWithExternalId(String externalId) {
        return users.store.values().stream().filter(u -> externalId.equals(u.getExternalId().orElse(null))).count();
    }

    public int userCount() {
        return users.store.size();
    }

    /** The members' ids of the group with this externalId (null: no such group). */
    public Set<String> members(String groupExternalId) {
        return groups.store.values().stream().filter(g -> groupExternalId.equals(g.getExternalId().orElse(null))).findFirst()
                .map(g -> {
                    Set<String> ids = new java.util.HashSet<>();
                    g.getMembers().forEach(m -> m.getValue().ifPresent(ids::add));
                    return ids;
                }).orElse(null);
    }

    /** Every group's members' ids as stored, by the group's externalId (a list: a member twice shows twice). */
    public Map<String, List<String>> groupMembers() {
        Map<String, List<String>> all = new HashMap<>();
        groups.store.values().forEach(g -> {
            List<String> ids = new ArrayList<>();
            g.getMembers().forEach(m -> m.getValue().ifPresent(ids::add));
            all.put(g.getExternalId().orElse(""), ids);
        });
        return all;
    }

    public int groupCount() {
        return groups.store.size();
    }

    /** Requests by method and first path segment, e.g. "POST Bulk", "GET Users". */
    public Map<String, Integer> requests() {
        Map<String, Integer> copy = new HashMap<>();
        requests.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    /** Time spent in the library's request handler (and the store), summed over requests. */
    public long handlingNanos() {
        return handlingNanos.get();
    }

    public long largestBulkBytes() {
        return largestBulkBytes.get();
    }

    /** The next create of a user whose userName starts with this fails with 500 (a supplier failing once, for one person). */
    public volatile String failOnceUserNamesStartingWith;
    /** Creates of users whose userName starts with this are refused with 400 (one person's bad data). */
    public volatile String refuseUserNamesStartingWith;
    /** A Bulk request holding this text fails as a whole with 500 (a supplier that chokes on one operation's data). */
    public volatile String failBulkWhenContaining;
    /** Bulk answers carry no bulkId (RFC 7644 requires it only for POST): the client must read them by position. */
    public volatile boolean omitBulkIdsInAnswers;
    /**
     * The next Bulk answer whose first operation is about this kind of resource ("Users" or "Groups") leaves out its
     * last operation's answer (a supplier that skipped one); null: none is left out.
     */
    public volatile String dropLastBulkAnswerAbout;
    /**
     * The next request this matches (its kind, e.g. "POST Bulk" or "PATCH Groups", and its body) is carried out, but
     * its answer is lost: a 502 arrives instead (a gateway that lost the connection after the supplier acted).
     */
    public volatile java.util.function.BiPredicate<String, String> loseAnswerOnce;

    /** The bearer token is checked before the library is called: what reaches it is authenticated, with no roles. */
    private static final de.captaingoldfish.scim.sdk.server.endpoints.authorize.Authorization CHECKED =
            new de.captaingoldfish.scim.sdk.server.endpoints.authorize.Authorization() {
                @Override
                public Set<String> getClientRoles() {
                    return Set.of();
                }

                @Override
                public boolean authenticate(Map<String, String> headers, Map<String, String> query) {
                    return true;
                }
            };

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                send(exchange, 401, "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],\"status\":\"401\",\"detail\":\"Unknown bearer token\"}");
                return;
            }
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getRawPath();
            String rest = path.substring("/scim/v2".length()).replaceFirst("^/", "");
            String kind = exchange.getRequestMethod() + " " + (rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest);
            requests.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
            if (kind.equals("POST Bulk")) {
                largestBulkBytes.accumulateAndGet(body.getBytes(StandardCharsets.UTF_8).length, Math::max);
            }
            String poison = failBulkWhenContaining;
            if (kind.equals("POST Bulk") && poison != null && body.contains(poison)) {
                send(exchange, 500, "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],\"status\":\"500\",\"detail\":\"Bulk failed\"}");
                return;
            }
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.getFirst()));
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + exchange.getRequestURI();
            HttpMethod method = HttpMethod.valueOf(exchange.getRequestMethod());
            var held = method == HttpMethod.GET ? lock.readLock() : lock.writeLock();
            ScimResponse response;
            held.lock();
            long t = System.nanoTime();
            try {
                response = endpoint.handleRequest(url, method, body.isEmpty() ? null : body, headers, new Context(CHECKED));
            } finally {
                handlingNanos.addAndGet(System.nanoTime() - t);
                held.unlock();
            }
            response.getHttpHeaders().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            var lose = loseAnswerOnce;
            if (lose != null && response.getHttpStatus() < 300 && lose.test(kind, body)) {
                loseAnswerOnce = null;
                send(exchange, 502, "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],\"status\":\"502\",\"detail\":\"Bad gateway\"}");
                return;
            }
            String answer = response.getHttpStatus() == 204 ? null : response.toString();
            if (kind.equals("POST Bulk") && response.getHttpStatus() == 200 && (omitBulkIdsInAnswers || dropLastBulkAnswerAbout != null)) {
                answer = alteredBulkAnswer(answer);
            }
            send(exchange, response.getHttpStatus(), answer);
        }
    }

    private String alteredBulkAnswer(String answer) throws IOException {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(answer);
        var operations = (com.fasterxml.jackson.databind.node.ArrayNode) tree.path("Operations");
        String about = dropLastBulkAnswerAbout;
        if (about != null && !operations.isEmpty() && operations.get(0).path("location").asText().contains("/" + about + "/")) {
            dropLastBulkAnswerAbout = null;
            operations.remove(operations.size() - 1);
        }
        if (omitBulkIdsInAnswers) {
            operations.forEach(o -> ((com.fasterxml.jackson.databind.node.ObjectNode) o).remove("bulkId"));
        }
        return json.writeValueAsString(tree);
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        if (body == null) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/scim+json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    /** Users: userName unique, externalId indexed (a filter {@code externalId eq "…"} need not look at every user). */
    private final class Users extends InMemory<User> {

        final Map<String, String> byExternalId = new ConcurrentHashMap<>();
        final Map<String, String> byUserName = new ConcurrentHashMap<>();

        @Override
        public User createResource(User user, Context context) {
            String userName = user.getUserName().orElse("").toLowerCase(java.util.Locale.ROOT);
            String failing = failOnceUserNamesStartingWith;
            if (failing != null && userName.startsWith(failing.toLowerCase(java.util.Locale.ROOT))) {
                failOnceUserNamesStartingWith = null;
                throw new de.captaingoldfish.scim.sdk.common.exceptions.InternalServerException("failing for this user today");
            }
            String refused = refuseUserNamesStartingWith;
            if (refused != null && userName.startsWith(refused.toLowerCase(java.util.Locale.ROOT))) {
                throw new de.captaingoldfish.scim.sdk.common.exceptions.BadRequestException("this supplier refuses the userName", null, "invalidValue");
            }
            if (byUserName.containsKey(userName)) {
                throw new ConflictException("userName " + userName + " is already taken");
            }
            User created = super.createResource(user, context);
            byUserName.put(userName, created.getId().orElseThrow());
            user.getExternalId().ifPresent(e -> byExternalId.put(e, created.getId().orElseThrow()));
            user.getExternalId().ifPresent(onCreate);
            return created;
        }

        @Override
        public User updateResource(User user, Context context) {
            User old = store.get(user.getId().orElseThrow());
            if (old != null) {
                old.getUserName().ifPresent(n -> byUserName.remove(n.toLowerCase(java.util.Locale.ROOT)));
            }
            User updated = super.updateResource(user, context);
            user.getUserName().ifPresent(n -> byUserName.put(n.toLowerCase(java.util.Locale.ROOT), user.getId().orElseThrow()));
            user.getExternalId().ifPresent(e -> byExternalId.put(e, user.getId().orElseThrow()));
            return updated;
        }

        @Override
        List<User> candidates(FilterNode filter) {
            if (filter instanceof AttributeExpressionLeaf leaf && leaf.getComparator() == Comparator.EQ && "externalId".equals(leaf.getAttributeName())) {
                String id = byExternalId.get(leaf.getValue());
                User user = id == null ? null : store.get(id);
                return user == null ? List.of() : List.of(user);
            }
            return super.candidates(filter);
        }
    }

    private static final class Groups extends InMemory<Group> {
    }

    /** A resource type kept in memory; the library filters, validates, patches and answers. */
    private abstract static class InMemory<T extends ResourceNode> extends ResourceHandler<T> {

        final Map<String, T> store = new ConcurrentHashMap<>();

        @Override
        public T createResource(T resource, Context context) {
            String id = UUID.randomUUID().toString();
            resource.setId(id);
            resource.getMeta().ifPresent(meta -> {
                meta.setCreated(java.time.Instant.now());
                meta.setLastModified(java.time.Instant.now());
            });
            store.put(id, resource);
            return resource;
        }

        @Override
        public T getResource(String id, List<SchemaAttribute> attributes, List<SchemaAttribute> excluded, Context context) {
            return store.get(id);
        }

        @Override
        public PartialListResponse<T> listResources(long startIndex, int count, FilterNode filter, SchemaAttribute sortBy, SortOrder sortOrder,
                                                    List<SchemaAttribute> attributes, List<SchemaAttribute> excluded, Context context) {
            List<T> all = candidates(filter);
            return PartialListResponse.<T>builder().resources(all).totalResults(all.size()).build();
        }

        /** What the library's filter then looks through (it filters by itself: auto filtering). */
        List<T> candidates(FilterNode filter) {
            return new ArrayList<>(store.values());
        }

        @Override
        public T updateResource(T resource, Context context) {
            String id = resource.getId().orElseThrow();
            T old = store.get(id);
            if (old == null) {
                throw new ResourceNotFoundException("No resource " + id, null, null);
            }
            resource.getMeta().ifPresent(meta -> {
                old.getMeta().flatMap(m -> m.getCreated()).ifPresent(meta::setCreated);
                meta.setLastModified(java.time.Instant.now());
            });
            store.put(id, resource);
            return resource;
        }

        @Override
        public void deleteResource(String id, Context context) {
            if (store.remove(id) == null) {
                throw new ResourceNotFoundException("No resource " + id, null, null);
            }
        }
    }
}
