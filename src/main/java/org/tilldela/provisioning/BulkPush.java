package org.tilldela.provisioning;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.messages.PatchOperation;
import com.unboundid.scim2.common.utils.JsonUtils;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.catalog.Attribute;

/**
 * A claimed batch sent as SCIM Bulk requests (RFC 7644 §3.7), for a supplier whose ServiceProviderConfig offers
 * Bulk (and PATCH): each outbox operation becomes a few Bulk operations — its user created (POST with a
 * {@code bulkId}), brought up to date or deactivated (PATCH), and its group memberships added or removed (PATCH of
 * the group; a user created in the same request is referred to as {@code bulkId:…}) — packed into requests of at
 * most {@code maxOperations} operations and {@code maxPayloadSize} bytes. An outbox operation's Bulk operations
 * always travel in one request.
 *
 * <p>Each outbox operation is settled by its own Bulk operations' statuses: all succeeded — done (settled in one
 * transaction for the request); one failed — that operation alone is retried with backoff or becomes a dead letter,
 * the others are not charged with it. No {@code failOnErrors} is sent, so the supplier tries every operation; one it
 * left unanswered counts as a failed attempt of its own (so it cannot come back for ever). A request the supplier
 * asks us to slow down for (429, 503, Retry-After) charges nobody: everything waits untried and the connector backs
 * off. A request that fails as a whole otherwise (timeout, 5xx, another 4xx, a malformed answer) is nobody's fault in
 * particular: it and the rest of the batch go one by one, where each operation is charged only with its own failure
 * (one poisonous operation cannot dead-letter the others) and a supplier that is down stops at the first.
 *
 * <p>What Bulk cannot do as the one-by-one path does goes that way: a create retried after an earlier attempt
 * (whose answer may have been lost: the user is first looked for by {@code externalId}), a create the supplier
 * answers 409 (it has that user already), an update of a user the supplier no longer has (404: made anew).
 */
final class BulkPush {

    private static final Logger log = LoggerFactory.getLogger(BulkPush.class);

    private static final String BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
    /** Bytes a request needs besides its operations: the envelope, and a comma between operations (counted per operation). */
    private static final int ENVELOPE = 128;

    /** Settles a failed operation (retry with backoff, or a dead letter); answers the delay chosen. */
    interface Settle {
        Duration failed(Queue.Op op, ProvisioningWorker.Failure failure);
    }

    /**
     * @param oneByOne operations to send one by one instead (still claimed by this worker)
     * @param backOff  non-null: the supplier failed or asked us to wait — the connector backs off this long
     * @param notSent  operations claimed but not sent (to be put back untried)
     */
    record Result(List<Queue.Op> oneByOne, Duration backOff, List<Queue.Op> notSent) {
    }

    private final Queue queue;
    private final GroupMemberships groups;
    private final TransactionTemplate transaction;
    private final Duration lease;
    private final Settle settle;

    BulkPush(Queue queue, GroupMemberships groups, TransactionTemplate transaction, Duration lease, Settle settle) {
        this.queue = queue;
        this.groups = groups;
        this.transaction = transaction;
        this.lease = lease;
        this.settle = settle;
    }

    private enum UserStep { NONE, CREATE, UPDATE, DEACTIVATE }

    private record MemberStep(String bulkId, UUID group, String groupScimId, boolean add) {
    }

    /** One outbox operation as Bulk operations. */
    private record Planned(Queue.Op op, UserStep step, Queue.Account before, String externalId, String digest, Map<Attribute, Object> values,
                           List<MemberStep> members, List<ObjectNode> operations, int bytes) {
        String userBulkId() {
            return "u" + op.id();
        }
    }

    Result push(ScimClient scim, ScimClient.BulkLimits limits, List<Queue.Op> ops, Map<UUID, Map<Attribute, Object>> released) {
        UUID connector = scim.endpoint().id();
        List<UUID> persons = ops.stream().map(Queue.Op::personId).toList();
        Map<UUID, Queue.Account> accounts = queue.accounts(connector, persons);
        boolean pushesGroups = scim.endpoint().pushesGroups();
        Map<UUID, Set<UUID>> memberships = pushesGroups ? groups.memberships(connector, persons) : Map.of();
        Map<UUID, String> groupIds = new HashMap<>();
        if (pushesGroups) {
            prepareGroups(scim, limits, connector, ops, released, memberships, groupIds);
        }
        List<Queue.Op> oneByOne = new ArrayList<>();
        List<Planned> planned = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            Queue.Op op = ops.get(i);
            Map<Attribute, Object> values = released.get(op.personId());
            Queue.Account account = accounts.get(op.personId());
            if (op.kind().equals("SYNC") && (values == null || values.isEmpty()) && account != null && account.active()) {
                // it would deactivate: the one-by-one path queues it as a deactivation, which the deletion brake counts
                oneByOne.add(op);
                continue;
            }
            Planned p;
            try {
                p = plan(scim, op, values, account, memberships.getOrDefault(op.personId(), Set.of()), groupIds, pushesGroups);
            } catch (ProvisioningWorker.Refused e) {
                settle.failed(op, new ProvisioningWorker.Failure(false, e.getMessage(), null));
                continue;
            } catch (ScimException | RuntimeException e) {
                // a group could not be found or made: the supplier is failing — as on the one-by-one path, this
                // operation is charged, the rest of the batch waits untried
                ProvisioningWorker.Failure failure = ProvisioningWorker.Failure.of(e, ScimClient.RETRY_AFTER.get()).masked(values);
                Duration wait = settle.failed(op, failure);
                if (failure.retriable()) {
                    List<Queue.Op> notSent = new ArrayList<>(ops.subList(i + 1, ops.size()));
                    notSent.addAll(oneByOne);
                    return new Result(List.of(), wait, notSent);
                }
                continue;
            }
            if (p == null || p.operations().size() > limits.maxOperations() || p.bytes() + ENVELOPE > limits.maxPayloadSize()) {
                oneByOne.add(op);
            } else if (!p.operations().isEmpty()) {
                planned.add(p);
            } else {
                // nothing to send (already inactive, in no group): done as it stands
                queue.doneAll(List.of(new Queue.Settled(op, p.before())));
            }
        }
        List<List<Planned>> requests = pack(planned, limits);
        List<Joining> joining = new ArrayList<>();
        Duration wait = null;
        for (int r = 0; r < requests.size(); r++) {
            Set<Long> ours = queue.renewAll(requests.get(r).stream().map(Planned::op).toList(), lease);
            List<Planned> chunk = requests.get(r).stream().filter(p -> ours.contains(p.op().id())).toList();
            if (chunk.isEmpty()) {
                continue;
            }
            ScimClient.RETRY_AFTER.remove();
            ObjectNode response;
            try {
                response = scim.bulk(request(chunk));
            } catch (Exception e) {
                ProvisioningWorker.Failure failure = ProvisioningWorker.Failure.of(e, ScimClient.RETRY_AFTER.get());
                log.info("Provisioning Bulk request of {} operations at connector {} failed: {}", chunk.size(), connector, failure.status());
                List<Queue.Op> rest = new ArrayList<>();
                requests.subList(r, requests.size()).forEach(request -> request.forEach(p -> rest.add(p.op())));
                if (failure.retryAfter() != null || failure.reason().startsWith("HTTP 429") || failure.reason().startsWith("HTTP 503")) {
                    // the supplier asks for less: nothing is charged, everything waits untried, the connector backs off
                    List<Queue.Op> notSent = new ArrayList<>(oneByOne);
                    notSent.addAll(rest);
                    notSent.addAll(handOver(joining)); // their users are made: the retry knows their accounts
                    return new Result(List.of(), failure.retryAfter(), notSent); // (null: the worker's first backoff step)
                }
                // refused or failed as a whole (a 4xx, a 5xx, a timeout, a malformed answer): nobody's fault in particular, so
                // this request and the rest go one by one — each operation charged only with its own failure, and a supplier
                // that is down stops the one-by-one path at its first failure (the connector backs off there)
                oneByOne.addAll(rest);
                oneByOne.addAll(handOver(joining));
                // groups made for these operations are left empty by the failed request: removed again (the one-by-one
                // path makes each anew when a member of it is added)
                Map<UUID, String> made = new HashMap<>();
                requests.subList(r, requests.size()).forEach(request -> request.forEach(p -> p.members().stream().filter(MemberStep::add)
                        .forEach(m -> made.putIfAbsent(m.group(), m.groupScimId()))));
                removeIfEmpty(scim, connector, made);
                return new Result(oneByOne, wait, List.of());
            }
            List<ObjectNode> sent = new ArrayList<>();
            chunk.forEach(p -> sent.addAll(p.operations()));
            Duration asked = settleAnswers(scim, connector, chunk, answers(response, sent), oneByOne, joining);
            if (asked != null) {
                wait = wait == null || asked.compareTo(wait) > 0 ? asked : wait;
            }
        }
        membersAfterUsers(scim, limits, connector, joining, oneByOne);
        return new Result(oneByOne, wait, List.of());
    }

    /** Operations whose users are made but whose groups will not be joined here: their accounts remembered, the operations answered. */
    private List<Queue.Op> handOver(List<Joining> joining) {
        queue.rememberAll(joining.stream().map(j -> new Queue.Settled(j.p().op(), j.after())).toList());
        return joining.stream().map(j -> j.p().op()).toList();
    }

    /** What one outbox operation needs sent; null: it goes one by one. */
    private Planned plan(ScimClient scim, Queue.Op op, Map<Attribute, Object> values, Queue.Account account, Set<UUID> have,
                         Map<UUID, String> groupIds, boolean pushesGroups) throws ScimException {
        boolean off = op.kind().equals("DEACTIVATE") || values == null || values.isEmpty();
        UserStep step;
        String externalId;
        ObjectNode userOperation = null;
        if (off) {
            externalId = account == null ? null : account.externalId();
            if (account == null || !account.active()) {
                step = UserStep.NONE;
            } else {
                step = UserStep.DEACTIVATE;
                userOperation = operation("PATCH", "/Users/" + account.scimId(), "u" + op.id(), ScimClient.patchMessage(ScimClient.deactivation()));
            }
        } else {
            externalId = ScimUsers.externalId(values);
            if (externalId == null) {
                throw new ProvisioningWorker.Refused("the release holds no pseudonymous id (PSEUDONYMOUS_ID) to send as externalId: the product must declare it");
            }
            var user = ScimUsers.user(values);
            if (account != null) {
                step = UserStep.UPDATE;
                userOperation = operation("PATCH", "/Users/" + account.scimId(), "u" + op.id(), ScimClient.patchMessage(ScimClient.userPatch(user)));
            } else if (op.attempts() == 1) {
                step = UserStep.CREATE;
                userOperation = operation("POST", "/Users", "u" + op.id(), JsonUtils.valueToNode(user));
            } else {
                return null; // a create tried before: its answer may have been lost, so it looks before it makes
            }
        }
        List<ObjectNode> operations = new ArrayList<>();
        if (userOperation != null) {
            operations.add(userOperation);
        }
        List<MemberStep> members = new ArrayList<>();
        if (pushesGroups && (account != null || !off)) {
            // an inactive account is in no group: a group has only the connector's licence holders as members
            Map<UUID, String> wanted = off ? Map.of() : GroupMemberships.released(values);
            int n = 0;
            for (Map.Entry<UUID, String> group : wanted.entrySet()) {
                if (have.contains(group.getKey())) {
                    continue;
                }
                String groupScimId = groupIds.get(group.getKey());
                if (groupScimId == null) {
                    // found or made under the group's lock, as on the one-by-one path: two workers never make it twice
                    String[] made = new String[1];
                    groups.underLock(op.connectorId(), group.getKey(),
                            () -> made[0] = groups.ensureGroup(scim, op.connectorId(), group.getKey(), group.getValue()));
                    groupScimId = made[0];
                    groupIds.put(group.getKey(), groupScimId);
                }
                // sent after the users, one PATCH per group with all of the batch's new members (membersAfterUsers)
                members.add(new MemberStep("m" + op.id() + "." + n++, group.getKey(), groupScimId, true));
            }
            Set<UUID> leaving = new HashSet<>(have);
            leaving.removeAll(wanted.keySet());
            if (!leaving.isEmpty() && account != null) {
                Map<UUID, String> known = groups.scimIds(op.connectorId(), leaving);
                for (UUID group : leaving) {
                    MemberStep m = new MemberStep("m" + op.id() + "." + n++, group, known.get(group), false);
                    members.add(m);
                    if (m.groupScimId() != null) {
                        operations.add(operation("PATCH", "/Groups/" + m.groupScimId(), m.bulkId(),
                                ScimClient.patchMessage(ScimClient.memberRemoved(account.scimId()))));
                    }
                }
            }
        }
        int bytes = 0;
        for (ObjectNode o : operations) {
            bytes += size(o) + 1;
        }
        String digest = step == UserStep.CREATE || step == UserStep.UPDATE ? ScimUsers.digest(ScimUsers.user(values)) : null;
        return new Planned(op, step, account, externalId, digest, values, members, operations, bytes);
    }

    /** Requests of at most maxOperations operations and maxPayloadSize bytes, an outbox operation's always in one. */
    private static List<List<Planned>> pack(List<Planned> planned, ScimClient.BulkLimits limits) {
        return pack(planned, p -> p.operations().size(), Planned::bytes, limits);
    }

    /**
     * Items in requests of at most maxOperations operations and maxPayloadSize bytes, in their order; an item's
     * operations always in one request ({@code bytes}: its operations' size, a comma each included).
     */
    private static <T> List<List<T>> pack(List<T> items, java.util.function.ToIntFunction<T> operationsOf, java.util.function.ToIntFunction<T> bytesOf,
                                          ScimClient.BulkLimits limits) {
        List<List<T>> requests = new ArrayList<>();
        List<T> current = new ArrayList<>();
        int operations = 0;
        long bytes = ENVELOPE;
        for (T item : items) {
            int n = operationsOf.applyAsInt(item);
            int b = bytesOf.applyAsInt(item);
            if (!current.isEmpty() && (operations + n > limits.maxOperations() || bytes + b > limits.maxPayloadSize())) {
                requests.add(current);
                current = new ArrayList<>();
                operations = 0;
                bytes = ENVELOPE;
            }
            current.add(item);
            operations += n;
            bytes += b;
        }
        if (!current.isEmpty()) {
            requests.add(current);
        }
        return requests;
    }

    /** The BulkRequest message (RFC 7644 §3.7.1); without failOnErrors, so the supplier tries every operation. */
    private static ObjectNode request(List<Planned> chunk) {
        List<ObjectNode> operations = new ArrayList<>();
        chunk.forEach(p -> operations.addAll(p.operations()));
        return requestOf(operations);
    }

    private static ObjectNode requestOf(List<ObjectNode> operations) {
        ObjectNode request = JsonUtils.getJsonNodeFactory().objectNode();
        request.putArray("schemas").add(BULK_REQUEST);
        request.putArray("Operations").addAll(operations);
        return request;
    }

    /** Groups looked for and made together, under their locks held at once. */

    /**
     * The groups the batch's persons join that the supplier has not got yet (as recorded here): looked for by
     * externalId in one filter request and made in one Bulk request per {@value GroupMemberships#GROUPS_AT_ONCE}, under their locks —
     * instead of a lookup and a create per group, one after another. Anything that fails here is left to
     * {@link #plan}, which finds or makes each group on its own and charges a failure to its operation.
     */
    private void prepareGroups(ScimClient scim, ScimClient.BulkLimits limits, UUID connector, List<Queue.Op> ops,
                               Map<UUID, Map<Attribute, Object>> released, Map<UUID, Set<UUID>> memberships, Map<UUID, String> groupIds) {
        Map<UUID, String> names = new HashMap<>();
        for (Queue.Op op : ops) {
            Map<Attribute, Object> values = released.get(op.personId());
            if (op.kind().equals("DEACTIVATE") || values == null || values.isEmpty() || ScimUsers.externalId(values) == null) {
                continue; // in no group, or refused by plan(): no group is made for it
            }
            Set<UUID> have = memberships.getOrDefault(op.personId(), Set.of());
            GroupMemberships.released(values).forEach((group, name) -> {
                if (!have.contains(group)) {
                    names.putIfAbsent(group, name);
                }
            });
        }
        if (names.isEmpty()) {
            return;
        }
        groupIds.putAll(groups.scimIds(connector, names.keySet()));
        List<UUID> unknown = names.keySet().stream().filter(g -> !groupIds.containsKey(g)).sorted().toList();
        for (int from = 0; from < unknown.size(); from += GroupMemberships.GROUPS_AT_ONCE) {
            java.util.SortedSet<UUID> slice = new java.util.TreeSet<>(unknown.subList(from, Math.min(unknown.size(), from + GroupMemberships.GROUPS_AT_ONCE)));
            try {
                groups.underLocks(connector, slice, () -> {
                    Map<UUID, String> known = groups.scimIds(connector, slice); // made meanwhile by another worker?
                    groupIds.putAll(known);
                    List<UUID> missing = slice.stream().filter(g -> !known.containsKey(g)).toList();
                    if (missing.isEmpty()) {
                        return;
                    }
                    // made before, its answer lost: found by externalId, never made twice
                    Map<String, String> found = scim.findGroupsByExternalIds(missing.stream().map(UUID::toString).toList());
                    if (found == null) {
                        return; // the supplier pages its answer: each is looked for on its own
                    }
                    List<UUID> toMake = new ArrayList<>();
                    for (UUID group : missing) {
                        String id = found.get(group.toString());
                        if (id == null) {
                            toMake.add(group);
                        } else {
                            groups.known(connector, group, id);
                            groupIds.put(group, id);
                        }
                    }
                    for (int at = 0; at < toMake.size(); at += limits.maxOperations()) {
                        List<UUID> part = toMake.subList(at, Math.min(toMake.size(), at + limits.maxOperations()));
                        List<ObjectNode> operations = new ArrayList<>();
                        for (int i = 0; i < part.size(); i++) {
                            operations.add(operation("POST", "/Groups", "g" + i, ScimClient.groupResource(part.get(i).toString(), names.get(part.get(i)))));
                        }
                        Map<String, JsonNode> answers = answers(scim.bulk(requestOf(operations)), operations);
                        for (int i = 0; i < part.size(); i++) {
                            JsonNode answer = answers.get("g" + i);
                            String id = answer != null && ok(status(answer)) ? createdId(answer) : null;
                            if (id != null) {
                                groups.known(connector, part.get(i), id);
                                groupIds.put(part.get(i), id);
                            }
                        }
                    }
                });
            } catch (ScimException | RuntimeException e) {
                log.info("Provisioning: groups at connector {} could not be made together ({}); each is made on its own", connector,
                        e.getClass().getSimpleName());
                return;
            }
        }
    }

    private static ObjectNode operation(String method, String path, String bulkId, ObjectNode data) {
        ObjectNode operation = JsonUtils.getJsonNodeFactory().objectNode();
        operation.put("method", method);
        operation.put("bulkId", bulkId);
        operation.put("path", path);
        operation.set("data", data);
        return operation;
    }

    private static int size(JsonNode node) {
        try {
            return JsonUtils.getObjectWriter().writeValueAsBytes(node).length;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The BulkResponse's operations by bulkId (every operation we send has one). A supplier that leaves bulkId out of
     * its answers (RFC 7644 §3.7.3 requires it only for POST) but answers every operation is read by position, as the
     * RFC orders the answers like the request.
     */
    private static Map<String, JsonNode> answers(ObjectNode response, List<ObjectNode> operations) {
        Map<String, JsonNode> answers = new HashMap<>();
        List<JsonNode> all = new ArrayList<>();
        response.path("Operations").forEach(all::add);
        List<String> sent = operations.stream().map(o -> o.path("bulkId").asText()).toList();
        boolean byPosition = all.size() == sent.size() && all.stream().noneMatch(a -> a.hasNonNull("bulkId"));
        for (int i = 0; i < all.size(); i++) {
            JsonNode answer = all.get(i);
            if (answer.hasNonNull("bulkId")) {
                answers.put(answer.get("bulkId").asText(), answer);
            } else if (byPosition) {
                answers.put(sent.get(i), answer);
            }
        }
        return answers;
    }

    /** An operation's own status (RFC 7644 §3.7.3: a string such as "201"; some suppliers send a number). */
    private static int status(JsonNode answer) {
        JsonNode status = answer.path("status");
        if (status.isObject()) {
            status = status.path("code"); // the SCIM 1.1 form
        }
        try {
            return Integer.parseInt(status.asText().strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean ok(int status) {
        return status >= 200 && status < 300;
    }

    private static ProvisioningWorker.Failure failure(JsonNode answer) {
        int status = status(answer);
        JsonNode response = answer.path("response");
        String detail = response.path("detail").asText(response.isMissingNode() ? "" : response.toString());
        return ProvisioningWorker.Failure.ofStatus(status, detail);
    }

    /** The id the supplier gave a created user: the last segment of its location (or the returned resource's id). */
    private static String createdId(JsonNode answer) {
        String location = answer.path("location").asText("");
        if (!location.isBlank()) {
            String path = location.replaceAll("/+$", "");
            return path.substring(path.lastIndexOf('/') + 1);
        }
        return answer.path("response").path("id").asText(null);
    }

    /** An operation whose user the supplier has now, and whose new groups are still to be joined (membersAfterUsers). */
    private record Joining(Planned p, Queue.Account after) {
    }

    /**
     * The new memberships of the users a batch's requests made or updated, after them: one PATCH per group with all of
     * its new members by their ids (RFC 7644 §3.5.2.1), in as few Bulk requests as the supplier's limits allow — instead
     * of a PATCH per membership with {@code bulkId} references, which the supplier must resolve one by one. An
     * operation whose groups all joined is done; one with a group the supplier refused or did not answer goes one by
     * one, uncharged (its account is remembered first), where each membership is tried and charged on its own.
     */
    private void membersAfterUsers(ScimClient scim, ScimClient.BulkLimits limits, UUID connector, List<Joining> joining, List<Queue.Op> oneByOne) {
        if (joining.isEmpty()) {
            return;
        }
        // known here before the groups are tried: a failing group step must not leave an account we cannot deactivate
        queue.rememberAll(joining.stream().map(j -> new Queue.Settled(j.p().op(), j.after())).toList());
        Map<UUID, List<Joining>> byGroup = new java.util.TreeMap<>();
        Map<UUID, String> scimIds = new HashMap<>();
        for (Joining j : joining) {
            j.p().members().stream().filter(MemberStep::add).forEach(m -> {
                byGroup.computeIfAbsent(m.group(), g -> new ArrayList<>()).add(j);
                scimIds.put(m.group(), m.groupScimId());
            });
        }
        List<GroupMemberships.Change> added = new ArrayList<>();
        alreadyThere(scim, byGroup, scimIds, added);
        List<UUID> order = List.copyOf(byGroup.keySet());
        List<ObjectNode> operations = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            List<String> ids = byGroup.get(order.get(i)).stream().map(j -> j.after().scimId()).toList();
            try {
                operations.add(operation("PATCH", "/Groups/" + scimIds.get(order.get(i)), "g" + i, ScimClient.patchMessage(ScimClient.membersAdded(ids))));
            } catch (ScimException e) {
                throw new IllegalStateException(e); // a member value that cannot be written as JSON
            }
        }
        Set<Joining> failed = new HashSet<>();
        Map<UUID, String> emptied = new HashMap<>();
        List<Integer> indices = java.util.stream.IntStream.range(0, operations.size()).boxed().toList();
        for (List<Integer> request : pack(indices, i -> 1, i -> size(operations.get(i)) + 1, limits)) {
            List<ObjectNode> part = request.stream().map(operations::get).toList();
            Map<String, JsonNode> answers;
            try {
                ScimClient.RETRY_AFTER.remove();
                answers = answers(scim.bulk(requestOf(part)), part);
            } catch (Exception e) {
                log.info("Provisioning Bulk request of {} group operations at connector {} failed: {}", part.size(), connector,
                        ProvisioningWorker.Failure.of(e, ScimClient.RETRY_AFTER.get()).status());
                answers = Map.of();
            }
            for (int i : request) {
                UUID group = order.get(i);
                JsonNode answer = answers.get("g" + i);
                if (answer != null && ok(status(answer))) {
                    byGroup.get(group).forEach(j -> added.add(new GroupMemberships.Change(group, j.p().op().personId())));
                } else {
                    if (answer != null && status(answer) == 404) {
                        groups.forgetGroup(connector, group); // the supplier removed it: made anew one by one
                    } else {
                        emptied.putIfAbsent(group, scimIds.get(group)); // made for these members alone, perhaps: removed again if empty
                    }
                    failed.addAll(byGroup.get(group));
                }
            }
        }
        List<Queue.Settled> done = joining.stream().filter(j -> !failed.contains(j)).map(j -> new Queue.Settled(j.p().op(), j.after())).toList();
        transaction.executeWithoutResult(status -> {
            groups.applied(connector, added, List.of());
            queue.doneAll(done);
        });
        failed.forEach(j -> oneByOne.add(j.p().op()));
        removeIfEmpty(scim, connector, emptied);
    }

    /**
     * A second attempt's joiners may be members already: the first attempt's PATCH may have been carried out with its
     * answer lost (the node stopped, say), and some suppliers append a value added twice although RFC 7644 §3.5.2.1
     * says it SHOULD change nothing. Such a group is read first (one GET of its members); whoever is there is recorded
     * as added and not sent again, and a group left with nobody to add is not sent at all.
     */
    private static void alreadyThere(ScimClient scim, Map<UUID, List<Joining>> byGroup, Map<UUID, String> scimIds,
                                     List<GroupMemberships.Change> added) {
        for (java.util.Iterator<Map.Entry<UUID, List<Joining>>> it = byGroup.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<UUID, List<Joining>> group = it.next();
            if (group.getValue().stream().noneMatch(j -> j.p().op().attempts() > 1)) {
                continue;
            }
            Set<String> there;
            try {
                there = scim.memberIds(scimIds.get(group.getKey()));
            } catch (ScimException | RuntimeException e) {
                continue; // not readable now: the PATCH goes as it would have, and its answer decides
            }
            List<Joining> absent = new ArrayList<>();
            for (Joining j : group.getValue()) {
                if (there.contains(j.after().scimId())) {
                    added.add(new GroupMemberships.Change(group.getKey(), j.p().op().personId()));
                } else {
                    absent.add(j);
                }
            }
            if (absent.isEmpty()) {
                it.remove();
            } else {
                group.setValue(absent);
            }
        }
    }

    /** Settles a request's operations by their answers; answers how long the connector should wait (null: no need). */
    private Duration settleAnswers(ScimClient scim, UUID connector, List<Planned> chunk, Map<String, JsonNode> answers, List<Queue.Op> oneByOne,
                                   List<Joining> joining) {
        List<Queue.Settled> done = new ArrayList<>();
        List<GroupMemberships.Change> added = new ArrayList<>();
        List<GroupMemberships.Change> removed = new ArrayList<>();
        Map<UUID, String> emptied = new HashMap<>();
        Map<Queue.Op, ProvisioningWorker.Failure> failed = new java.util.LinkedHashMap<>();
        Map<Queue.Op, Queue.Account> accountsOfFailed = new HashMap<>();
        Set<Queue.Op> slowDown = new HashSet<>();
        for (Planned p : chunk) {
            Queue.Account after = p.before();
            if (p.step() != UserStep.NONE) {
                JsonNode answer = answers.get(p.userBulkId());
                if (answer == null) {
                    // an attempt like any other (counted, so an operation the supplier never answers ends as a dead letter);
                    // a create goes one by one next time, looking for the user first
                    failed.put(p.op(), new ProvisioningWorker.Failure(true, "the supplier did not answer this operation in its Bulk response", null));
                    continue;
                }
                int status = status(answer);
                if (ok(status)) {
                    after = switch (p.step()) {
                        case CREATE -> {
                            String id = createdId(answer);
                            yield id == null ? null : new Queue.Account(id, p.externalId(), true, p.digest());
                        }
                        case UPDATE -> new Queue.Account(p.before().scimId(), p.externalId(), true, p.digest());
                        case DEACTIVATE -> new Queue.Account(p.before().scimId(), p.before().externalId(), false, p.before().digest());
                        case NONE -> p.before();
                    };
                    if (p.step() == UserStep.CREATE && after == null) {
                        failed.put(p.op(), new ProvisioningWorker.Failure(true, "the supplier made the user but gave no location", null));
                        continue;
                    }
                } else if (p.step() == UserStep.DEACTIVATE && status == 404) {
                    after = new Queue.Account(p.before().scimId(), p.before().externalId(), false, p.before().digest()); // the supplier has it no more
                } else if ((p.step() == UserStep.CREATE && status == 409) || (p.step() == UserStep.UPDATE && status == 404)
                        || (p.step() == UserStep.UPDATE && status == 400 && "noTarget".equals(answer.path("response").path("scimType").asText()))) {
                    // (a strict supplier refuses to remove what the user does not have: one by one, the whole user goes by PUT)
                    // it has the user already (find it and update), or no longer (make it anew): one by one, which looks first
                    oneByOne.add(p.op());
                    continue;
                } else {
                    if (status == 429 || status == 503) {
                        slowDown.add(p.op()); // the supplier asks for less: the connector waits too
                    }
                    failed.put(p.op(), failure(answer).masked(p.values()));
                    // its groups' additions failed with it: a group made for it alone is removed again
                    p.members().stream().filter(MemberStep::add).forEach(m -> emptied.putIfAbsent(m.group(), m.groupScimId()));
                    continue;
                }
            }
            ProvisioningWorker.Failure memberFailure = null;
            List<GroupMemberships.Change> mine = new ArrayList<>();
            List<GroupMemberships.Change> mineGone = new ArrayList<>();
            for (MemberStep m : p.members()) {
                GroupMemberships.Change change = new GroupMemberships.Change(m.group(), p.op().personId());
                if (m.add()) {
                    continue; // sent after the users (membersAfterUsers)
                }
                if (m.groupScimId() == null) {
                    mineGone.add(change); // a group the supplier has no id for here: nothing to remove there
                    continue;
                }
                JsonNode answer = answers.get(m.bulkId());
                int status = answer == null ? 0 : status(answer);
                if (ok(status) || (!m.add() && status == 404)) {
                    (m.add() ? mine : mineGone).add(change);
                    if (!m.add()) {
                        emptied.put(m.group(), m.groupScimId());
                    }
                } else {
                    if (m.add()) {
                        emptied.putIfAbsent(m.group(), m.groupScimId()); // made for nobody, perhaps: removed again if it is empty
                    }
                    if (memberFailure != null) {
                        continue;
                    }
                    if (answer == null) {
                        memberFailure = new ProvisioningWorker.Failure(true, "the supplier did not answer a membership operation", null);
                    } else if (status == 404) {
                        // the supplier removed the group: forget it, and the retry makes it anew
                        groups.forgetGroup(connector, m.group());
                        memberFailure = new ProvisioningWorker.Failure(true, "HTTP 404 adding a member: " + failure(answer).reason(), null).masked(p.values());
                    } else {
                        memberFailure = failure(answer).masked(p.values());
                    }
                }
            }
            added.addAll(mine);
            removed.addAll(mineGone);
            if (memberFailure == null && p.members().stream().anyMatch(MemberStep::add)) {
                joining.add(new Joining(p, after));
            } else if (memberFailure == null) {
                done.add(new Queue.Settled(p.op(), after));
            } else {
                failed.put(p.op(), memberFailure);
                accountsOfFailed.put(p.op(), after);
            }
        }
        transaction.executeWithoutResult(status -> {
            queue.doneAll(done);
            // an account made at the supplier is known here even when its groups failed: later deactivated and deleted
            accountsOfFailed.forEach((op, account) -> {
                if (account != null) {
                    queue.remember(op, account);
                }
            });
            groups.applied(connector, added, removed);
        });
        Duration wait = null;
        for (Map.Entry<Queue.Op, ProvisioningWorker.Failure> f : failed.entrySet()) {
            Queue.Op op = f.getKey();
            log.info("Provisioning operation {} at connector {} failed in a Bulk request (attempt {}): {}", op.id(), connector, op.attempts(),
                    f.getValue().status());
            Duration d = settle.failed(op, f.getValue());
            if (slowDown.contains(op) && (wait == null || d.compareTo(wait) > 0)) {
                wait = d;
            }
        }
        removeIfEmpty(scim, connector, emptied);
        return wait;
    }

    /** Groups that may have been left without members leave the supplier (each under its lock, as on the one-by-one path). */
    private void removeIfEmpty(ScimClient scim, UUID connector, Map<UUID, String> groupsMaybeEmpty) {
        groupsMaybeEmpty.forEach((group, scimId) -> {
            try {
                groups.underLock(connector, group, () -> groups.removeIfEmpty(scim, connector, group, scimId));
            } catch (ScimException | RuntimeException e) {
                // left for the next removal from it (or reconciliation): every member's own change is recorded
                log.info("Provisioning: an emptied group at connector {} could not be removed: {}", connector, e.getClass().getSimpleName());
            }
        });
    }

}
