package org.tilldela.provisioning;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.jakarta.rs.json.JacksonJsonProvider;
import static com.unboundid.scim2.common.utils.ApiConstants.MEDIA_TYPE_SCIM;

import com.unboundid.scim2.client.ScimService;
import com.unboundid.scim2.common.GenericScimResource;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.filters.Filter;
import com.unboundid.scim2.common.messages.ErrorResponse;
import com.unboundid.scim2.common.messages.ListResponse;
import com.unboundid.scim2.common.messages.PatchOperation;
import com.unboundid.scim2.common.messages.PatchRequest;
import com.unboundid.scim2.common.Path;
import com.unboundid.scim2.common.types.GroupResource;
import com.unboundid.scim2.common.types.Member;
import com.unboundid.scim2.common.types.ServiceProviderConfigResource;
import com.unboundid.scim2.common.types.UserResource;
import com.unboundid.scim2.common.utils.JsonUtils;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.HttpHeaders;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.glassfish.jersey.client.ClientConfig;

/**
 * One supplier's SCIM service, through UnboundID's SCIM 2 SDK: Users found by {@code externalId} filter,
 * created, updated by PATCH where the service provider's configuration says it supports PATCH (else PUT),
 * deactivated with {@code active=false}. The configuration is read once per connector version; OAuth access
 * tokens are kept until shortly before they expire. Every call ends within the HTTP timeout.
 */
final class ScimClient implements ConnectorClient {

    /** The Retry-After of the last 429/503 answer this thread saw (a worker thread calls one supplier at a time). */
    static final ThreadLocal<String> RETRY_AFTER = new ThreadLocal<>();

    /** The HTTP status and reason phrase of the last answer this thread saw (kept as a deletion's receipt). */
    static final ThreadLocal<Answer> LAST_ANSWER = new ThreadLocal<>();

    record Answer(int status, String reason) {
    }

    /** Core User attributes Tilldela may set; an attribute no longer released is removed at the next update. */
    private static final List<String> MANAGED = List.of("name", "displayName", "emails", "roles",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department");

    private final Connectors.Endpoint endpoint;
    private final Duration timeout;
    private final ConnectorHosts hosts;
    private final Client client;
    private final ScimService scim;
    /** The connector's own TLS context (client certificate, supplier's CA); null: the JDK's default. */
    private final javax.net.ssl.SSLContext tls;
    private volatile Config config;
    private final SupplierTokens tokens;

    ScimClient(Connectors.Endpoint endpoint, Duration timeout, ConnectorHosts hosts) {
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.hosts = hosts;
        // mutual TLS: the client certificate is presented in the handshake; a supplier's own CA is trusted when given
        this.tls = endpoint.tls();
        this.tokens = new SupplierTokens(endpoint, timeout, hosts, tls);
        ClientConfig config = new ClientConfig().connectorProvider((c, cfg) -> new JdkHttpConnector(timeout, hosts, tls));
        this.client = ClientBuilder.newClient(config)
                .register(new JacksonJsonProvider(JsonUtils.createObjectMapper()))
                .register((jakarta.ws.rs.client.ClientRequestFilter) request -> {
                    if (endpoint.auth() != Connector.Auth.MUTUAL_TLS) {
                        request.getHeaders().putSingle(HttpHeaders.AUTHORIZATION, "Bearer " + tokens.bearer());
                    }
                })
                .register((jakarta.ws.rs.client.ClientResponseFilter) (request, response) -> {
                    LAST_ANSWER.set(new Answer(response.getStatus(), response.getStatusInfo().getReasonPhrase()));
                    if (response.getStatus() == 429 || response.getStatus() == 503) {
                        RETRY_AFTER.set(response.getHeaderString("Retry-After"));
                    }
                    if (response.getStatus() == 401) {
                        tokens.expire(); // a revoked or expired token: fetch a new one for the retry
                    }
                });
        this.scim = new ScimService(client.target(endpoint.baseUrl()));
    }

    @Override
    public Connectors.Endpoint endpoint() {
        return endpoint;
    }

    /** The user the supplier keeps under this externalId, if any (RFC 7644 §3.4.2.2 filter, built by the SDK). */
    UserResource findByExternalId(String externalId) throws ScimException {
        ListResponse<UserResource> found = scim.searchRequest("Users").filter(Filter.eq("externalId", externalId)).invoke(UserResource.class);
        return found.getResources() == null || found.getResources().isEmpty() ? null : found.getResources().getFirst();
    }

    /** Results asked for per page when listing everything (a service provider may give fewer; it says so in itemsPerPage). */
    static final int PAGE = 100;

    /** Every user the supplier keeps (RFC 7644 §3.4.2.4 paging: startIndex and count), with the attributes reconciliation compares. */
    List<UserResource> allUsers() throws ScimException {
        return all("Users", UserResource.class, "externalId", "userName", "name", "displayName", "emails", "active");
    }

    /** Every group the supplier keeps, with its members. */
    List<GroupResource> allGroups() throws ScimException {
        return all("Groups", GroupResource.class, "externalId", "displayName", "members");
    }

    private <T> List<T> all(String endpoint, Class<T> type, String... attributes) throws ScimException {
        List<T> all = new ArrayList<>();
        int start = 1;
        for (int page = 0; page < 100_000; page++) {
            ListResponse<T> answer = scim.searchRequest(endpoint).attributes(attributes).page(start, PAGE).invoke(type);
            List<T> resources = answer.getResources() == null ? List.of() : answer.getResources();
            all.addAll(resources);
            start += resources.size();
            if (resources.isEmpty() || all.size() >= answer.getTotalResults()) {
                break;
            }
        }
        return all;
    }

    UserResource create(UserResource user) throws ScimException {
        return scim.create("Users", user);
    }

    /** Brings the supplier's user to this state: PATCH (replace what is released, remove what no longer is), or PUT. */
    void update(String id, UserResource user) throws ScimException {
        if (patchSupported()) {
            var request = scim.modifyRequest("Users", id);
            userPatch(user).forEach(request::addOperation);
            try {
                request.invoke(UserResource.class);
                return;
            } catch (ScimException e) {
                // a strict supplier refuses to remove what the user does not have (400 noTarget): the whole user by PUT instead
                if (e.getScimError() == null || !"noTarget".equals(e.getScimError().getScimType())) {
                    throw e;
                }
            }
            user.setId(id);
            scim.replaceRequest(URI.create(endpoint.baseUrl() + "/Users/" + id), user).invoke();
        } else {
            user.setId(id);
            scim.replaceRequest(URI.create(endpoint.baseUrl() + "/Users/" + id), user).invoke();
        }
    }

    /** What brings the supplier's user to this state by PATCH: replace what is released, remove what no longer is. */
    static List<PatchOperation> userPatch(UserResource user) throws ScimException {
        ObjectNode value = JsonUtils.valueToNode(user);
        value.remove("schemas");
        value.remove("id");
        value.remove("meta");
        List<PatchOperation> operations = new ArrayList<>();
        operations.add(PatchOperation.replace(value));
        for (String path : MANAGED) {
            if (!present(value, path)) {
                operations.add(PatchOperation.remove(path));
            }
        }
        return operations;
    }

    /** A PatchOp message (RFC 7644 §3.5.2) as JSON, for a Bulk operation's data. */
    static ObjectNode patchMessage(List<PatchOperation> operations) {
        return JsonUtils.valueToNode(new PatchRequest(operations));
    }

    /** active=false by PATCH. */
    static List<PatchOperation> deactivation() throws ScimException {
        return List.of(PatchOperation.replace("active", false));
    }

    /** Members more, in one {@code add} with several values (their ids at the supplier, or {@code bulkId:} references to users made in the same Bulk request). */
    static List<PatchOperation> membersAdded(List<String> userIds) throws ScimException {
        return List.of(PatchOperation.add("members", JsonUtils.valueToNode(userIds.stream().map(id -> new Member().setValue(id)).toList())));
    }

    /** One member less. */
    static List<PatchOperation> memberRemoved(String userId) throws ScimException {
        return List.of(PatchOperation.remove(Path.root().attribute("members", Filter.eq("value", userId))));
    }

    /** active=false: the supplier keeps the account (and its data, until the deletion is due) but no one signs in with it. */
    void deactivate(String id) throws ScimException {
        if (patchSupported()) {
            scim.modifyRequest("Users", id).addOperation(PatchOperation.replace("active", false)).invoke(UserResource.class);
        } else {
            // the supplier's own copy goes back with active=false: nothing of ours is sent that it does not hold
            UserResource current = scim.retrieve("Users", id, UserResource.class);
            current.setActive(false);
            scim.replaceRequest(URI.create(endpoint.baseUrl() + "/Users/" + id), current).invoke();
        }
    }

    /** DELETE of the user (RFC 7644 §3.6): the supplier removes the account and what it holds under it. */
    void deleteUser(String id) throws ScimException {
        scim.delete("Users", id);
    }

    /** The group the supplier keeps under this externalId (our group's id), if any. */
    GroupResource findGroupByExternalId(String externalId) throws ScimException {
        ListResponse<GroupResource> found = scim.searchRequest("Groups").filter(Filter.eq("externalId", externalId)).invoke(GroupResource.class);
        return found.getResources() == null || found.getResources().isEmpty() ? null : found.getResources().getFirst();
    }

    /**
     * The supplier's groups under any of these externalIds, in one filter request ({@code externalId eq "…" or …}):
     * externalId → the supplier's id. Null when the supplier did not answer all of them in one page (then each is
     * looked for on its own).
     */
    Map<String, String> findGroupsByExternalIds(List<String> externalIds) throws ScimException {
        Map<String, String> found = new java.util.HashMap<>();
        if (externalIds.isEmpty()) {
            return found;
        }
        List<Filter> any = new ArrayList<>();
        for (String externalId : externalIds) {
            any.add(Filter.eq("externalId", externalId));
        }
        ListResponse<GroupResource> answer = scim.searchRequest("Groups").filter(any.size() == 1 ? any.getFirst() : Filter.or(any))
                .attributes("externalId").page(1, externalIds.size()).invoke(GroupResource.class);
        List<GroupResource> resources = answer.getResources() == null ? List.of() : answer.getResources();
        if (answer.getTotalResults() > resources.size()) {
            return null;
        }
        for (GroupResource group : resources) {
            if (group.getExternalId() != null && externalIds.contains(group.getExternalId())) {
                found.putIfAbsent(group.getExternalId(), group.getId());
            }
        }
        return found;
    }

    /** A new group as a SCIM Group resource (for a Bulk POST). */
    static ObjectNode groupResource(String externalId, String displayName) {
        GroupResource group = new GroupResource().setDisplayName(displayName);
        group.setExternalId(externalId);
        return JsonUtils.valueToNode(group);
    }

    GroupResource createGroup(String externalId, String displayName) throws ScimException {
        GroupResource group = new GroupResource().setDisplayName(displayName);
        group.setExternalId(externalId);
        return scim.create("Groups", group);
    }

    /** Whether the supplier still has the group (a 404 on adding a member: the group's, or the member's?). */
    boolean groupExists(String groupId) throws ScimException {
        try {
            scim.retrieve("Groups", groupId, GroupResource.class);
            return true;
        } catch (ScimException e) {
            if (e.getScimError() != null && e.getScimError().getStatus() != null && e.getScimError().getStatus() == 404) {
                return false;
            }
            throw e;
        }
    }

    void deleteGroup(String groupId) throws ScimException {
        scim.delete("Groups", groupId);
    }

    /**
     * The ids of the group's members as the supplier holds them: one read of its members alone. Asked before adding
     * members again where an earlier try's answer was lost: RFC 7644 §3.5.2.1 says an {@code add} of a value already
     * there SHOULD change nothing, but some suppliers append it a second time.
     */
    Set<String> memberIds(String groupId) throws ScimException {
        GroupResource group = scim.retrieveRequest("Groups", groupId).attributes("members").invoke(GroupResource.class);
        Set<String> ids = new java.util.HashSet<>();
        if (group.getMembers() != null) {
            group.getMembers().forEach(m -> ids.add(m.getValue()));
        }
        return ids;
    }

    /** One member more: PATCH add (RFC 7644 §3.5.2.1), or the supplier's copy with the member back by PUT. */
    void addMember(String groupId, String userId) throws ScimException {
        addMembers(groupId, List.of(userId));
    }

    /** Members more, in one request: one PATCH add with all of them as its values, or the supplier's copy with them back by PUT. */
    void addMembers(String groupId, List<String> userIds) throws ScimException {
        if (patchSupported()) {
            scim.modifyRequest("Groups", groupId).addValues("members", userIds.stream().map(id -> new Member().setValue(id)).toList())
                    .invoke(GroupResource.class);
        } else {
            GroupResource group = scim.retrieve("Groups", groupId, GroupResource.class);
            List<Member> members = group.getMembers() == null ? new ArrayList<>() : new ArrayList<>(group.getMembers());
            for (String userId : userIds) {
                if (members.stream().noneMatch(m -> userId.equals(m.getValue()))) {
                    members.add(new Member().setValue(userId));
                }
            }
            group.setMembers(members);
            scim.replaceRequest(URI.create(endpoint.baseUrl() + "/Groups/" + groupId), group).invoke();
        }
    }

    /** One member less: PATCH remove {@code members[value eq "…"]} (RFC 7644 §3.5.2.2), or by PUT. */
    void removeMember(String groupId, String userId) throws ScimException {
        if (patchSupported()) {
            scim.modifyRequest("Groups", groupId).addOperation(PatchOperation.remove(Path.root().attribute("members", Filter.eq("value", userId))))
                    .invoke(GroupResource.class);
        } else {
            GroupResource group = scim.retrieve("Groups", groupId, GroupResource.class);
            List<Member> members = group.getMembers() == null ? new ArrayList<>() : new ArrayList<>(group.getMembers());
            members.removeIf(m -> userId.equals(m.getValue()));
            group.setMembers(members);
            scim.replaceRequest(URI.create(endpoint.baseUrl() + "/Groups/" + groupId), group).invoke();
        }
    }

    /** POST of an EGIL object (or any resource) to its endpoint; answers the id the supplier gave it. */
    String createResource(String endpointName, GenericScimResource resource) throws ScimException {
        return scim.create(endpointName, resource).getId();
    }

    /** PUT of the whole object (EGIL sends every update as a replacement, as its reference client does). */
    void replaceResource(String endpointName, String id, GenericScimResource resource) throws ScimException {
        scim.replaceRequest(URI.create(endpoint.baseUrl() + "/" + endpointName + "/" + id), resource).invoke();
    }

    GenericScimResource retrieveResource(String endpointName, String id) throws ScimException {
        return scim.retrieve(endpointName, id, GenericScimResource.class);
    }

    void deleteResource(String endpointName, String id) throws ScimException {
        scim.delete(endpointName, id);
    }

    private static boolean present(ObjectNode value, String path) {
        int colon = path.lastIndexOf(':');
        if (colon < 0) {
            return value.hasNonNull(path);
        }
        var extension = value.get(path.substring(0, colon));
        return extension != null && extension.hasNonNull(path.substring(colon + 1));
    }

    /** Read once per connector version: a supplier without the endpoint (404) is taken to offer no PATCH. */
    boolean patchSupported() throws ScimException {
        return config().patch();
    }

    /**
     * Bulk as the supplier offers it (RFC 7644 §3.7, its ServiceProviderConfig's {@code bulk}): null when it does
     * not, or says it takes no operation or no byte at all.
     */
    BulkLimits bulk() throws ScimException {
        return config().bulk();
    }

    /** Bulk as the configuration already read says, without asking the supplier (null: not read yet, or no Bulk). */
    BulkLimits knownBulk() {
        Config known = config;
        return known == null ? null : known.bulk();
    }

    /** What a supplier's Bulk endpoint takes in one request. */
    record BulkLimits(int maxOperations, long maxPayloadSize) {
    }

    private record Config(boolean patch, BulkLimits bulk) {
    }

    private Config config() throws ScimException {
        Config known = config;
        if (known == null) {
            try {
                ServiceProviderConfigResource c = scim.getServiceProviderConfig();
                BulkLimits bulk = c.getBulk() != null && c.getBulk().isSupported() && c.getBulk().getMaxOperations() > 0 && c.getBulk().getMaxPayloadSize() > 0
                        ? new BulkLimits(c.getBulk().getMaxOperations(), c.getBulk().getMaxPayloadSize()) : null;
                known = new Config(c.getPatch() != null && c.getPatch().isSupported(), bulk);
            } catch (ScimException e) {
                if (e.getScimError().getStatus() != null && e.getScimError().getStatus() == 404) {
                    known = new Config(false, null);
                } else {
                    throw e;
                }
            } catch (ProcessingException e) {
                if (!unreadable(e)) {
                    throw e; // the connection failed: asked again next time
                }
                // answered, but not as a ServiceProviderConfig: taken, like a missing one, to offer neither PATCH nor Bulk
                known = new Config(false, null);
            }
            config = known;
        }
        return known;
    }

    private static boolean unreadable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof com.fasterxml.jackson.core.JacksonException) {
                return true;
            }
        }
        return false;
    }

    /**
     * One Bulk request (RFC 7644 §3.7): POST {base}/Bulk with the BulkRequest message, answered by a BulkResponse
     * whose operations each carry their own status. A status other than 200 for the request as a whole (413, 429,
     * 5xx, …) is thrown as that status, like any other call's.
     */
    ObjectNode bulk(ObjectNode request) throws ScimException {
        try (Response response = client.target(endpoint.baseUrl()).path("Bulk").request(MEDIA_TYPE_SCIM, MediaType.APPLICATION_JSON)
                .post(Entity.entity(request, MEDIA_TYPE_SCIM))) {
            if (response.getStatus() == 200) {
                try {
                    return response.readEntity(ObjectNode.class);
                } catch (RuntimeException malformed) {
                    throw new ProcessingException("the Bulk response is not a JSON object: " + malformed.getClass().getSimpleName(), malformed);
                }
            }
            ErrorResponse error = null;
            try {
                error = response.readEntity(ErrorResponse.class);
            } catch (RuntimeException notAnError) {
                // not a SCIM error message: the status alone says it
            }
            if (error == null || error.getStatus() == null) {
                throw ScimException.createException(response.getStatus(), response.getStatusInfo().getReasonPhrase());
            }
            throw ScimException.createException(error, null);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
