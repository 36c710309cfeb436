package org.tilldela.provisioning;

import static com.unboundid.scim2.common.utils.ApiConstants.MEDIA_TYPE_SCIM;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.jakarta.rs.json.JacksonJsonProvider;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import com.unboundid.scim2.common.GenericScimResource;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ResourceConflictException;
import com.unboundid.scim2.common.exceptions.ResourceNotFoundException;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.types.AttributeDefinition;
import com.unboundid.scim2.common.types.AuthenticationScheme;
import com.unboundid.scim2.common.types.BulkConfig;
import com.unboundid.scim2.common.types.ChangePasswordConfig;
import com.unboundid.scim2.common.types.ETagConfig;
import com.unboundid.scim2.common.types.FilterConfig;
import com.unboundid.scim2.common.types.Meta;
import com.unboundid.scim2.common.types.PatchConfig;
import com.unboundid.scim2.common.types.SchemaResource;
import com.unboundid.scim2.common.types.ServiceProviderConfigResource;
import com.unboundid.scim2.common.types.SortConfig;
import com.unboundid.scim2.common.types.UserResource;
import com.unboundid.scim2.common.utils.JsonUtils;
import com.unboundid.scim2.common.utils.SchemaUtils;
import com.unboundid.scim2.server.providers.DefaultContentTypeFilter;
import com.unboundid.scim2.server.providers.JsonProcessingExceptionMapper;
import com.unboundid.scim2.server.providers.RuntimeExceptionMapper;
import com.unboundid.scim2.server.providers.ScimExceptionMapper;
import com.unboundid.scim2.server.resources.AbstractServiceProviderConfigEndpoint;
import com.unboundid.scim2.server.utils.ResourcePreparer;
import com.unboundid.scim2.server.utils.ResourceTypeDefinition;
import com.unboundid.scim2.server.utils.SchemaChecker;
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
import java.util.ArrayList;
import java.util.Calendar;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.glassfish.jersey.jdkhttp.JdkHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;

/**
 * An independent EGIL (SS 12000:2018) SCIM service provider for tests, built from UnboundID's scim2-sdk-server:
 * resource type definitions with EGIL's schemas (declared here as {@link SchemaResource}s — the User extension
 * {@code urn:scim:schemas:extension:sis:school:1.0:User}, Organisation, SchoolUnit, Employment, StudentGroup, Activity, with the attributes
 * the EGIL client sends and Windermere requires), and the library's {@link SchemaChecker} refusing any object that
 * does not conform (an unknown attribute, a required one missing, a wrong type: 400). Like Windermere it keeps
 * every object under its {@code externalId} as its id (409 for a second create), and it keeps references whole:
 * an object referring to one that is not there, or a deletion of one still referred to, is refused (409) — so
 * sending in the wrong order fails here as it would break a supplier's data.
 *
 * <p>Plain HTTP with a bearer token, or HTTPS that requires a client certificate (mutual TLS, no token). Every
 * request that changes something is logged in order.
 */
final class EgilTestServer implements AutoCloseable {

    /** One changing request as it arrived: method, endpoint, the object's id. */
    record Request(String method, String endpoint, String id) {
    }

    final List<Request> log = Collections.synchronizedList(new ArrayList<>());
    final Endpoint users;
    final Endpoint schoolUnits;
    final Endpoint employments;
    final Endpoint studentGroups;
    final Endpoint activities;
    final Endpoint organisations;
    /** Called as a changing request arrives, before it is handled (a test may hold it there: a supplier that stalls). */
    volatile java.util.function.Consumer<Request> arriving = r -> {
    };
    private final HttpServer server;
    private final String scheme;

    /** Plain HTTP, requests authenticated by this bearer token. */
    static EgilTestServer withToken(String token) {
        return new EgilTestServer(token, null);
    }

    /** HTTPS requiring a client certificate that the context's trust managers accept (mutual TLS). */
    static EgilTestServer withClientCertificates(SSLContext tls) {
        return new EgilTestServer(null, tls);
    }

    private EgilTestServer(String token, SSLContext tls) {
        users = new Users(this);
        schoolUnits = new SchoolUnits(this);
        employments = new Employments(this);
        studentGroups = new StudentGroups(this);
        activities = new Activities(this);
        organisations = new Organisations(this);
        ResourceConfig config = new ResourceConfig()
                .register(users).register(schoolUnits).register(employments).register(studentGroups).register(activities).register(organisations)
                .register(new ServiceProviderConfig())
                .register(new JacksonJsonProvider(JsonUtils.createObjectMapper()))
                .register(ScimExceptionMapper.class).register(RuntimeExceptionMapper.class).register(JsonProcessingExceptionMapper.class)
                .register(DefaultContentTypeFilter.class);
        if (token != null) {
            config.register((ContainerRequestFilter) request -> {
                if (!("Bearer " + token).equals(request.getHeaderString("Authorization"))) {
                    request.abortWith(Response.status(401).type(MEDIA_TYPE_SCIM)
                            .entity("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],\"status\":\"401\",\"detail\":\"Unknown bearer token\"}")
                            .build());
                }
            });
        }
        if (tls == null) {
            scheme = "http";
            server = JdkHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0/scim/v2"), config, false);
        } else {
            scheme = "https";
            server = JdkHttpServerFactory.createHttpServer(URI.create("https://127.0.0.1:0/scim/v2"), config, tls, false);
            ((HttpsServer) server).setHttpsConfigurator(new HttpsConfigurator(tls) {
                @Override
                public void configure(HttpsParameters params) {
                    SSLParameters parameters = tls.getDefaultSSLParameters();
                    parameters.setNeedClientAuth(true); // no certificate, no connection
                    params.setSSLParameters(parameters);
                }
            });
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    String baseUrl() {
        return scheme + "://127.0.0.1:" + server.getAddress().getPort() + "/scim/v2";
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // --- EGIL's schemas, as the EGIL client sends and Windermere reads them (Sambruk/windermere ss12000v1/types.go) ---

    private static AttributeDefinition string(String name, boolean required) {
        return new AttributeDefinition.Builder().setName(name).setType(AttributeDefinition.Type.STRING).setRequired(required).build();
    }

    /** A reference to another object: {@code value} (its UUID) and {@code $ref}. */
    private static AttributeDefinition reference(String name, boolean required, boolean multiValued, AttributeDefinition... more) {
        AttributeDefinition.Builder builder = new AttributeDefinition.Builder().setName(name).setType(AttributeDefinition.Type.COMPLEX)
                .setRequired(required).setMultiValued(multiValued)
                .addSubAttributes(string("value", true),
                        new AttributeDefinition.Builder().setName("$ref").setType(AttributeDefinition.Type.REFERENCE).addReferenceTypes("uri").build());
        if (more.length > 0) {
            builder.addSubAttributes(more);
        }
        return builder.build();
    }

    static final SchemaResource USER_EXTENSION = new SchemaResource(EgilObjects.USER_EXTENSION, "SS12000 User", "SS 12000:2018 user extension", List.of(
            reference("enrolments", false, true,
                    new AttributeDefinition.Builder().setName("schoolYear").setType(AttributeDefinition.Type.INTEGER).build(),
                    string("schoolType", false), string("programCode", false)),
            string("civicNo", false),
            new AttributeDefinition.Builder().setName("securityMarking").setType(AttributeDefinition.Type.BOOLEAN).build(),
            reference("userRelations", false, true, string("relationType", true), string("displayName", false))));

    static final SchemaResource SCHOOL_UNIT = new SchemaResource(EgilObjects.SCHOOL_UNIT, "SchoolUnit", "Skolenhet", List.of(
            string("displayName", true), string("schoolUnitCode", false), string("municipalityCode", false),
            new AttributeDefinition.Builder().setName("schoolTypes").setType(AttributeDefinition.Type.STRING).setMultiValued(true).build(),
            reference("organisation", false, false), reference("schoolUnitGroup", false, false)));

    static final SchemaResource EMPLOYMENT = new SchemaResource(EgilObjects.EMPLOYMENT, "Employment", "Anställning", List.of(
            reference("employedAt", true, false), reference("user", true, false), string("employmentRole", true), string("signature", false)));

    static final SchemaResource STUDENT_GROUP = new SchemaResource(EgilObjects.STUDENT_GROUP, "StudentGroup", "Elevgrupp", List.of(
            string("displayName", true), reference("owner", true, false), string("studentGroupType", false), string("schoolType", false),
            reference("studentMemberships", false, true)));

    /** SS 12000:2018 Organisation (huvudman). */
    static final SchemaResource ORGANISATION = new SchemaResource(EgilObjects.ORGANISATION, "Organisation", "Huvudman", List.of(
            string("displayName", true)));

    /** SS 12000:2018 Aktivitet as Windermere reads it: owner required; groups (StudentGroups), teachers (Employments). */
    static final SchemaResource ACTIVITY = new SchemaResource(EgilObjects.ACTIVITY, "Activity", "Aktivitet", List.of(
            string("displayName", true), reference("owner", true, false), reference("groups", false, true), reference("teachers", false, true),
            reference("parentActivity", false, true)));

    private static ResourceTypeDefinition userType() {
        try {
            return new ResourceTypeDefinition.Builder("User", "/Users").setCoreSchema(SchemaUtils.getSchema(UserResource.class))
                    .addOptionalSchemaExtension(USER_EXTENSION).build();
        } catch (java.beans.IntrospectionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A Users endpoint: a Student's enrolments must name school units that are there. */
    @Path("/Users")
    public static final class Users extends Endpoint {
        Users(EgilTestServer server) {
            super(server, userType(), "Users");
        }

        @Override
        void checkReferences(ObjectNode node) throws ScimException {
            for (JsonNode e : node.path(EgilObjects.USER_EXTENSION).path("enrolments")) {
                mustExist(server.schoolUnits, e.path("value").asText(), "enrolment");
            }
        }

        @Override
        void checkNotReferenced(String id) throws ScimException {
            mustNotBeReferenced(id, server.employments, n -> List.of(n.path("user").path("value").asText()));
            mustNotBeReferenced(id, server.studentGroups, n -> values(n.path("studentMemberships")));
        }
    }

    @Path("/SchoolUnits")
    public static final class SchoolUnits extends Endpoint {
        SchoolUnits(EgilTestServer server) {
            super(server, new ResourceTypeDefinition.Builder("SchoolUnit", "/SchoolUnits").setCoreSchema(SCHOOL_UNIT).build(), "SchoolUnits");
        }

        @Override
        void checkReferences(ObjectNode node) throws ScimException {
            if (node.has("organisation")) {
                mustExist(server.organisations, node.path("organisation").path("value").asText(), "organisation");
            }
        }

        @Override
        void checkNotReferenced(String id) throws ScimException {
            mustNotBeReferenced(id, server.employments, n -> List.of(n.path("employedAt").path("value").asText()));
            mustNotBeReferenced(id, server.studentGroups, n -> List.of(n.path("owner").path("value").asText()));
            mustNotBeReferenced(id, server.users, n -> values(n.path(EgilObjects.USER_EXTENSION).path("enrolments")));
            mustNotBeReferenced(id, server.activities, n -> List.of(n.path("owner").path("value").asText()));
        }
    }

    @Path("/Employments")
    public static final class Employments extends Endpoint {
        Employments(EgilTestServer server) {
            super(server, new ResourceTypeDefinition.Builder("Employment", "/Employments").setCoreSchema(EMPLOYMENT).build(), "Employments");
        }

        @Override
        void checkReferences(ObjectNode node) throws ScimException {
            mustExist(server.schoolUnits, node.path("employedAt").path("value").asText(), "employedAt");
            mustExist(server.users, node.path("user").path("value").asText(), "user");
        }

        @Override
        void checkNotReferenced(String id) throws ScimException {
            mustNotBeReferenced(id, server.activities, n -> values(n.path("teachers")));
        }
    }

    @Path("/StudentGroups")
    public static final class StudentGroups extends Endpoint {
        StudentGroups(EgilTestServer server) {
            super(server, new ResourceTypeDefinition.Builder("StudentGroup", "/StudentGroups").setCoreSchema(STUDENT_GROUP).build(), "StudentGroups");
        }

        @Override
        void checkReferences(ObjectNode node) throws ScimException {
            mustExist(server.schoolUnits, node.path("owner").path("value").asText(), "owner");
            for (String member : values(node.path("studentMemberships"))) {
                mustExist(server.users, member, "studentMembership");
            }
        }

        @Override
        void checkNotReferenced(String id) throws ScimException {
            mustNotBeReferenced(id, server.activities, n -> values(n.path("groups")));
        }
    }

    @Path("/Organisations")
    public static final class Organisations extends Endpoint {
        Organisations(EgilTestServer server) {
            super(server, new ResourceTypeDefinition.Builder("Organisation", "/Organisations").setCoreSchema(ORGANISATION).build(), "Organisations");
        }

        @Override
        void checkNotReferenced(String id) throws ScimException {
            mustNotBeReferenced(id, server.schoolUnits, n -> List.of(n.path("organisation").path("value").asText()));
        }
    }

    @Path("/Activities")
    public static final class Activities extends Endpoint {
        Activities(EgilTestServer server) {
            super(server, new ResourceTypeDefinition.Builder("Activity", "/Activities").setCoreSchema(ACTIVITY).build(), "Activities");
        }

        @Override
        void checkReferences(ObjectNode node) throws ScimException {
            mustExist(server.schoolUnits, node.path("owner").path("value").asText(), "owner");
            for (String group : values(node.path("groups"))) {
                mustExist(server.studentGroups, group, "groups");
            }
            for (String employment : values(node.path("teachers"))) {
                mustExist(server.employments, employment, "teachers");
            }
        }
    }

    /** One EGIL endpoint over an in-memory store keyed by externalId: search, create, get, PUT, DELETE; no PATCH (as EGIL). */
    public abstract static class Endpoint {
        final EgilTestServer server;
        final ResourceTypeDefinition definition;
        final SchemaChecker checker;
        final String name;
        final Map<String, GenericScimResource> store = new ConcurrentHashMap<>();

        Endpoint(EgilTestServer server, ResourceTypeDefinition definition, String name) {
            this.server = server;
            this.definition = definition;
            this.checker = new SchemaChecker(definition);
            this.name = name;
        }

        /** Refuses an object that refers to one not there. */
        void checkReferences(ObjectNode node) throws ScimException {
        }

        /** Refuses to delete an object another one still refers to. */
        void checkNotReferenced(String id) throws ScimException {
        }

        JsonNode get(String id) {
            GenericScimResource r = store.get(id);
            return r == null ? null : r.getObjectNode();
        }

        @GET
        @Produces({MEDIA_TYPE_SCIM, MediaType.APPLICATION_JSON})
        public SimpleSearchResults<GenericScimResource> search(@Context UriInfo uri) throws ScimException {
            SimpleSearchResults<GenericScimResource> results = new SimpleSearchResults<>(definition, uri);
            for (GenericScimResource resource : store.values()) {
                results.add(copy(resource));
            }
            return results;
        }

        @POST
        @Consumes({MEDIA_TYPE_SCIM, MediaType.APPLICATION_JSON})
        @Produces({MEDIA_TYPE_SCIM, MediaType.APPLICATION_JSON})
        public Response create(GenericScimResource resource, @Context UriInfo uri) throws ScimException {
            server.arriving.accept(new Request("POST", name, resource.getObjectNode().path("externalId").asText()));
            synchronized (server) {
                ObjectNode node = resource.getObjectNode().deepCopy();
                checker.checkCreate(node).throwSchemaExceptions();
                String id = node.path("externalId").asText(null);
                if (id == null || id.isBlank()) {
                    throw new BadRequestException("externalId is required: it is the object's UUID", "invalidValue");
                }
                if (store.containsKey(id)) {
                    throw new ResourceConflictException(name + " " + id + " exists", "uniqueness", null);
                }
                checkReferences(node);
                GenericScimResource stored = new GenericScimResource(node);
                stored.setId(id);
                Meta meta = new Meta();
                meta.setResourceType(definition.getName());
                meta.setCreated(Calendar.getInstance());
                meta.setLastModified(Calendar.getInstance());
                meta.setLocation(uri.getAbsolutePathBuilder().path(id).build());
                stored.setMeta(meta);
                store.put(id, stored);
                server.log.add(new Request("POST", name, id));
                return Response.status(201).entity(new ResourcePreparer<GenericScimResource>(definition, uri).trimCreatedResource(copy(stored), resource))
                        .build();
            }
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
            server.arriving.accept(new Request("PUT", name, id));
            synchronized (server) {
                GenericScimResource old = find(id);
                ObjectNode node = checker.removeReadOnlyAttributes(resource.getObjectNode().deepCopy());
                checker.checkReplace(node, old.getObjectNode()).throwSchemaExceptions();
                checkReferences(node);
                GenericScimResource replaced = new GenericScimResource(node);
                replaced.setId(id);
                replaced.setMeta(old.getMeta());
                store.put(id, replaced);
                server.log.add(new Request("PUT", name, id));
                return new ResourcePreparer<GenericScimResource>(definition, uri).trimReplacedResource(copy(replaced), resource);
            }
        }

        @DELETE
        @Path("{id}")
        public Response delete(@PathParam("id") String id) throws ScimException {
            synchronized (server) {
                find(id);
                checkNotReferenced(id);
                store.remove(id);
                server.log.add(new Request("DELETE", name, id));
                return Response.noContent().build();
            }
        }

        private GenericScimResource find(String id) throws ResourceNotFoundException {
            GenericScimResource resource = store.get(id);
            if (resource == null) {
                throw new ResourceNotFoundException("No " + name + " " + id);
            }
            return resource;
        }

        static void mustExist(Endpoint endpoint, String id, String what) throws ScimException {
            if (!endpoint.store.containsKey(id)) {
                throw new ResourceConflictException(what + " refers to " + endpoint.name + " " + id + ", which is not there", "invalidValue", null);
            }
        }

        void mustNotBeReferenced(String id, Endpoint by, Function<JsonNode, List<String>> references) throws ScimException {
            for (GenericScimResource r : by.store.values()) {
                if (references.apply(r.getObjectNode()).contains(id)) {
                    throw new ResourceConflictException(name + " " + id + " is still referred to by " + by.name + " " + r.getId(), "mutability", null);
                }
            }
        }

        static List<String> values(JsonNode array) {
            List<String> values = new ArrayList<>();
            array.forEach(n -> values.add(n.path("value").asText()));
            return values;
        }

        private static GenericScimResource copy(GenericScimResource r) {
            return new GenericScimResource(r.getObjectNode().deepCopy());
        }
    }

    /** EGIL servers take whole objects (PUT) and offer no PATCH. */
    @Path("ServiceProviderConfig")
    public static final class ServiceProviderConfig extends AbstractServiceProviderConfigEndpoint {
        @Override
        public ServiceProviderConfigResource getServiceProviderConfig() {
            return new ServiceProviderConfigResource("https://egil.test/docs", new PatchConfig(false), new BulkConfig(false, 0, 0),
                    new FilterConfig(false, 0), new ChangePasswordConfig(false), new SortConfig(false), new ETagConfig(false),
                    List.of(new AuthenticationScheme("Mutual TLS", "Client certificate", null, null, "tls", true)));
        }
    }

    /** The objects of one kind by id (for assertions). */
    static Set<String> ids(Endpoint endpoint) {
        return Set.copyOf(endpoint.store.keySet());
    }
}
