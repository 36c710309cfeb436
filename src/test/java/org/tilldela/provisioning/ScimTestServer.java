package org.tilldela.provisioning;

import static com.unboundid.scim2.common.utils.ApiConstants.MEDIA_TYPE_SCIM;

import com.fasterxml.jackson.jakarta.rs.json.JacksonJsonProvider;
import com.sun.net.httpserver.HttpServer;
import com.unboundid.scim2.common.GenericScimResource;
import com.unboundid.scim2.common.exceptions.ResourceConflictException;
import com.unboundid.scim2.common.exceptions.ResourceNotFoundException;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.messages.PatchRequest;
import com.unboundid.scim2.common.types.AuthenticationScheme;
import com.unboundid.scim2.common.types.BulkConfig;
import com.unboundid.scim2.common.types.ChangePasswordConfig;
import com.unboundid.scim2.common.types.ETagConfig;
import com.unboundid.scim2.common.types.FilterConfig;
import com.unboundid.scim2.common.types.GroupResource;
import com.unboundid.scim2.common.types.Meta;
import com.unboundid.scim2.common.types.PatchConfig;
import com.unboundid.scim2.common.types.ServiceProviderConfigResource;
import com.unboundid.scim2.common.types.SortConfig;
import com.unboundid.scim2.common.types.UserResource;
import com.unboundid.scim2.common.utils.JsonUtils;
import com.unboundid.scim2.server.PATCH;
import com.unboundid.scim2.server.annotations.ResourceType;
import com.unboundid.scim2.server.providers.DefaultContentTypeFilter;
import com.unboundid.scim2.server.providers.JsonProcessingExceptionMapper;
import com.unboundid.scim2.server.providers.RuntimeExceptionMapper;
import com.unboundid.scim2.server.providers.ScimExceptionMapper;
import com.unboundid.scim2.server.resources.AbstractServiceProviderConfigEndpoint;
import com.unboundid.scim2.server.utils.ResourcePreparer;
import com.unboundid.scim2.server.utils.ResourceTypeDefinition;
import com.unboundid.scim2.server.utils.SimpleSearchResults;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.Calendar;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.glassfish.jersey.jdkhttp.JdkHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;

/**
 * An independent SCIM 2.0 service provider for tests: UnboundID's scim2-sdk-server (its resource type
 * definitions, filter evaluation, PATCH application, error mapping, ServiceProviderConfig endpoint) on
 * Jersey's JDK HTTP server, with users kept in memory. It checks a bearer token, keeps userName unique (409),
 * and can say it does or does not support PATCH. Only the store is ours; the protocol is the library's.
 */
final class ScimTestServer implements AutoCloseable {

    final Users users = new Users();
    final Groups groups = new Groups();
    final String token;
    private final HttpServer server;

    ScimTestServer(String token, boolean patchSupported) {
        this.token = token;
        ResourceConfig config = new ResourceConfig()
                .register(users)
                .register(groups)
                .register(new ServiceProviderConfig(patchSupported))
                .register(new JacksonJsonProvider(JsonUtils.createObjectMapper()))
                .register(ScimExceptionMapper.class).register(RuntimeExceptionMapper.class).register(JsonProcessingExceptionMapper.class)
                .register(DefaultContentTypeFilter.class)
                .register((ContainerRequestFilter) request -> {
                    if (!("Bearer " + this.token).equals(request.getHeaderString("Authorization"))) {
                        request.abortWith(Response.status(401).type(MEDIA_TYPE_SCIM)
                                .entity("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],\"status\":\"401\",\"detail\":\"Unknown bearer token\"}")
                                .build());
                    }
                });
        server = JdkHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0/scim/v2"), config, false);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/scim/v2";
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** The Users endpoint over an in-memory store; userName is unique. */
    @ResourceType(description = "User Account", name = "User", schema = UserResource.class)
    @Path("/Users")
    public static final class Users extends InMemory {
        Users() {
            super("userName");
        }
    }

    /** The Groups endpoint over an in-memory store (RFC 7643 does not make displayName unique, so neither does this). */
    @ResourceType(description = "Group", name = "Group", schema = GroupResource.class)
    @Path("/Groups")
    public static final class Groups extends InMemory {
        Groups() {
            super(null);
        }

        /** The members' ids of the group with this externalId (none: no such group). */
        java.util.Set<String> members(String externalId) {
            List<GenericScimResource> found = withExternalId(externalId);
            if (found.isEmpty()) {
                return null;
            }
            java.util.Set<String> ids = new java.util.HashSet<>();
            found.getFirst().getObjectNode().path("members").forEach(m -> ids.add(m.path("value").asText()));
            return ids;
        }
    }

    /**
     * A resource endpoint over an in-memory store: search (with the library's filter evaluation), create, get, PUT, PATCH, DELETE.
     * The store keeps an index by externalId and by the unique attribute (a database's indexes, so that 10,000 users
     * cost no more per lookup than 10): a search whose filter is {@code externalId eq "…"} is given only the
     * resources under that externalId — the library's filter evaluation still decides which match.
     */
    public abstract static class InMemory {
        final ResourceTypeDefinition definition = ResourceTypeDefinition.fromJaxRsResource(getClass());
        final Map<String, GenericScimResource> store = new ConcurrentHashMap<>();
        private final Map<String, java.util.Set<String>> byExternalId = new ConcurrentHashMap<>();
        private final Map<String, String> byUnique = new ConcurrentHashMap<>();
        final AtomicInteger creates = new AtomicInteger();
        final AtomicInteger patches = new AtomicInteger();
        final AtomicInteger puts = new AtomicInteger();
        final AtomicInteger searches = new AtomicInteger();
        private final String unique;
        /** Milliseconds the next create's answer is held back after the resource was stored (a lost answer, as the client sees it). */
        volatile long holdNextCreateAnswer;
        /** Every DELETE answers 500. */
        volatile boolean failDeletes;
        /** Every create answers 400 (a supplier that refuses what it is sent). */
        volatile boolean refuseCreates;
        /**
         * A PATCH or PUT that would make an active user inactive answers 400 with a detail that echoes the user's name and
         * e-mail address as stored here (and a personnummer and a CPR number), as a careless supplier does; nothing changes.
         */
        volatile boolean refuseDeactivation;
        /** A PATCH that adds a member this says yes to answers 400, and changes nothing (PATCH is all or nothing). */
        volatile java.util.function.Predicate<String> refuseMember = id -> false;
        /** The ids of the resources made, in the order they were made. */
        final List<String> made = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** How many members each PATCH that added members added. */
        final List<Integer> membersPerPatch = new java.util.concurrent.CopyOnWriteArrayList<>();

        InMemory(String unique) {
            this.unique = unique;
        }

        @GET
        @Produces({MEDIA_TYPE_SCIM, MediaType.APPLICATION_JSON})
        public SimpleSearchResults<GenericScimResource> search(@Context UriInfo uri) throws ScimException {
            searches.incrementAndGet();
            SimpleSearchResults<GenericScimResource> results = new SimpleSearchResults<>(definition, uri);
            for (GenericScimResource resource : candidates(uri.getQueryParameters().getFirst("filter"))) {
                results.add(copy(resource));
            }
            return results;
        }

        /** All resources, or only those under the externalId an {@code externalId eq "…"} filter names. */
        private java.util.Collection<GenericScimResource> candidates(String filter) throws ScimException {
            if (filter != null && com.unboundid.scim2.common.filters.Filter.fromString(filter)
                    instanceof com.unboundid.scim2.common.filters.EqualFilter eq
                    && eq.getAttributePath().toString().equalsIgnoreCase("externalId") && eq.getComparisonValue().isTextual()) {
                return byExternalId.getOrDefault(eq.getComparisonValue().asText(), java.util.Set.of()).stream().map(store::get)
                        .filter(java.util.Objects::nonNull).toList();
            }
            return store.values();
        }

        /** Stores a resource and keeps the indexes in step (callers hold the endpoint's lock where uniqueness matters). */
        private void put(GenericScimResource resource) {
            GenericScimResource old = store.put(resource.getId(), resource);
            unindex(old);
            String externalId = resource.getObjectNode().path("externalId").asText(null);
            if (externalId != null) {
                byExternalId.computeIfAbsent(externalId, k -> ConcurrentHashMap.newKeySet()).add(resource.getId());
            }
            if (unique != null && resource.getObjectNode().hasNonNull(unique)) {
                byUnique.put(resource.getObjectNode().path(unique).asText().toLowerCase(java.util.Locale.ROOT), resource.getId());
            }
        }

        private void remove(String id) {
            unindex(store.remove(id));
        }

        private void unindex(GenericScimResource old) {
            if (old == null) {
                return;
            }
            String externalId = old.getObjectNode().path("externalId").asText(null);
            if (externalId != null) {
                byExternalId.computeIfPresent(externalId, (k, ids) -> {
                    ids.remove(old.getId());
                    return ids.isEmpty() ? null : ids;
                });
            }
            if (unique != null && old.getObjectNode().hasNonNull(unique)) {
                byUnique.remove(old.getObjectNode().path(unique).asText().toLowerCase(java.util.Locale.ROOT), old.getId());
            }
        }

        @POST
        @Consumes({MEDIA_TYPE_SCIM, MediaType.APPLICATION_JSON})
        @Produces({MEDIA_TYPE_SCIM, MediaType.APPLICATION_JSON})
        public Response create(GenericScimResource resource, @Context UriInfo uri) throws ScimException, InterruptedException {
            if (refuseCreates) {
                throw new com.unboundid.scim2.common.exceptions.BadRequestException("refused by the test", "invalidValue");
            }
            GenericScimResource stored;
            synchronized (this) {
                String key = unique == null ? null : resource.getObjectNode().path(unique).asText(null);
                String holder = key == null ? null : byUnique.get(key.toLowerCase(java.util.Locale.ROOT));
                boolean taken = holder != null && store.containsKey(holder); // a test may take a resource out of the store behind the index
                if (taken) {
                    throw new ResourceConflictException(unique + " " + key + " is already taken", "uniqueness", null);
                }
                stored = copy(resource);
                stored.setId(UUID.randomUUID().toString());
                Meta meta = new Meta();
                meta.setResourceType(definition.getName());
                meta.setCreated(Calendar.getInstance());
                meta.setLastModified(Calendar.getInstance());
                meta.setLocation(uri.getAbsolutePathBuilder().path(stored.getId()).build());
                stored.setMeta(meta);
                put(stored);
                made.add(stored.getId());
                creates.incrementAndGet();
            }
            long hold = holdNextCreateAnswer;
            if (hold > 0) {
                holdNextCreateAnswer = 0;
                Thread.sleep(hold);
            }
            return Response.status(201).entity(new ResourcePreparer<GenericScimResource>(definition, uri).trimCreatedResource(copy(stored), resource))
                    .build();
        }

        @GET
        @Path("{id}")
        @Produces({MEDIA_TYPE_SCIM, MediaType.APPLICATION_JSON})
        public GenericScimResource retrieve(@PathParam("id") String id, @Context UriInfo uri) throws ScimException {
            return new ResourcePreparer<GenericScimResource>(definition, uri).trimRetrievedResource(copy(find(id)));
        }

        @PUT
        @Path("{id}")
        @Consumes({MEDIA_TYPE_SCIM, MediaType.APPLICATION_JSON})
        @Produces({MEDIA_TYPE_SCIM, MediaType.APPLICATION_JSON})
        public GenericScimResource replace(@PathParam("id") String id, GenericScimResource resource, @Context UriInfo uri) throws ScimException {
            GenericScimResource old = find(id);
            refuseIfDeactivated(old, resource);
            GenericScimResource replaced = copy(resource);
            replaced.setId(id);
            replaced.setMeta(old.getMeta());
            synchronized (this) {
                put(replaced);
            }
            puts.incrementAndGet();
            return new ResourcePreparer<GenericScimResource>(definition, uri).trimReplacedResource(copy(replaced), resource);
        }

        @PATCH
        @Path("{id}")
        @Consumes({MEDIA_TYPE_SCIM, MediaType.APPLICATION_JSON})
        @Produces({MEDIA_TYPE_SCIM, MediaType.APPLICATION_JSON})
        public GenericScimResource modify(@PathParam("id") String id, PatchRequest patch, @Context UriInfo uri) throws ScimException {
            int added = 0;
            for (com.unboundid.scim2.common.messages.PatchOperation op : patch.getOperations()) {
                if (op.getOpType() == com.unboundid.scim2.common.messages.PatchOpType.ADD && op.getJsonNode() != null) {
                    for (com.fasterxml.jackson.databind.JsonNode member : op.getJsonNode().isArray() ? op.getJsonNode() : op.getJsonNode().path("members")) {
                        added++;
                        if (refuseMember.test(member.path("value").asText())) {
                            throw new com.unboundid.scim2.common.exceptions.BadRequestException("member refused by the test", "invalidValue");
                        }
                    }
                }
            }
            if (added > 0) {
                membersPerPatch.add(added);
            }
            synchronized (this) {
                GenericScimResource resource = copy(find(id));
                patch.apply(resource);
                refuseIfDeactivated(find(id), resource);
                put(resource);
                patches.incrementAndGet();
                return new ResourcePreparer<GenericScimResource>(definition, uri).trimModifiedResource(copy(resource), patch);
            }
        }

        private void refuseIfDeactivated(GenericScimResource before, GenericScimResource after) throws ScimException {
            com.fasterxml.jackson.databind.JsonNode was = before.getObjectNode(), is = after.getObjectNode();
            if (refuseDeactivation && was.path("active").asBoolean(true) && !is.path("active").asBoolean(true)) {
                throw new com.unboundid.scim2.common.exceptions.BadRequestException("User " + was.path("name").path("givenName").asText() + " "
                        + was.path("name").path("familyName").asText() + " <" + was.path("emails").path(0).path("value").asText()
                        + "> (personnummer 20100312-2385, CPR 120310-2385, guardian maria.berg@example.org) may not be deactivated during term",
                        "mutability");
            }
        }

        @DELETE
        @Path("{id}")
        public Response delete(@PathParam("id") String id) throws ScimException {
            if (failDeletes) {
                throw new com.unboundid.scim2.common.exceptions.ServerErrorException("deletions are failing today");
            }
            find(id);
            synchronized (this) {
                remove(id);
            }
            return Response.noContent().build();
        }

        private GenericScimResource find(String id) throws ResourceNotFoundException {
            GenericScimResource resource = store.get(id);
            if (resource == null) {
                throw new ResourceNotFoundException("No resource " + id);
            }
            return resource;
        }

        /** The resources whose externalId is this. */
        List<GenericScimResource> withExternalId(String externalId) {
            return store.values().stream().filter(u -> externalId.equals(u.getObjectNode().path("externalId").asText(null))).toList();
        }

        private static GenericScimResource copy(GenericScimResource r) {
            return new GenericScimResource(r.getObjectNode().deepCopy());
        }
    }

    @Path("ServiceProviderConfig")
    public static final class ServiceProviderConfig extends AbstractServiceProviderConfigEndpoint {
        private final boolean patch;

        ServiceProviderConfig(boolean patch) {
            this.patch = patch;
        }

        @Override
        public ServiceProviderConfigResource getServiceProviderConfig() {
            return new ServiceProviderConfigResource("https://scim.test/docs", new PatchConfig(patch), new BulkConfig(false, 0, 0),
                    new FilterConfig(true, 200), new ChangePasswordConfig(false), new SortConfig(false), new ETagConfig(false),
                    List.of(new AuthenticationScheme("OAuth Bearer Token", "Bearer token", null, null, "oauthbearertoken", true)));
        }
    }
}
