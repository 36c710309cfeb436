package org.tilldela.provisioning;

import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.types.UserResource;
import jakarta.ws.rs.ProcessingException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.access.Release;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.catalog.Attribute;
import org.tilldela.ledger.Channel;

/**
 * Works the outbox on this node. A dispatcher looks for connectors with due operations every poll interval and
 * gives each at most {@code per-connector-concurrency} workers (virtual threads): a supplier that hangs or fails
 * holds only its own workers, never another supplier's. A worker claims a batch, asks the release policy what
 * may go about its persons (recorded in the disclosure ledger and committed before a byte leaves), pushes each
 * operation, and settles it: done, retried later (exponential backoff with jitter, never before the supplier's
 * Retry-After), or a dead letter with the supplier's error text.
 */
@Component
@ConditionalOnWebApplication
@EnableConfigurationProperties(ProvisioningSettings.class)
class ProvisioningWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ProvisioningWorker.class);

    private final ProvisioningSettings settings;
    private final Queue queue;
    private final Connectors connectors;
    private final ReleasePolicy policy;
    private final GroupMemberships groups;
    private final EgilPush egil;
    private final DeletionRequests deletions;
    private final TransactionTemplate transaction;
    private final ConnectorHosts hosts;
    private final Map<UUID, AtomicInteger> busy = new ConcurrentHashMap<>();
    private final Map<UUID, ScimClient> clients = new ConcurrentHashMap<>();
    private final Map<UUID, BolClient> bolClients = new ConcurrentHashMap<>();
    private final BolOrders bolOrders;
    private final BolAssignments bolAssignments;
    private final tools.jackson.databind.json.JsonMapper json;
    /** Whether this node is sending BOL orders now (one sender at a time: orders are few, placed by people). */
    private final java.util.concurrent.atomic.AtomicBoolean sendingOrders = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean running;
    private volatile Thread dispatcher;
    private volatile ExecutorService workers;

    /** Operations waiting to go per supplier, as this node's dispatcher last counted them. */
    private final io.micrometer.core.instrument.MultiGauge depth;

    ProvisioningWorker(ProvisioningSettings settings, Queue queue, Connectors connectors, ReleasePolicy policy, GroupMemberships groups,
                       EgilPush egil, DeletionRequests deletions, PlatformTransactionManager transactions, ConnectorHosts hosts,
                       io.micrometer.core.instrument.MeterRegistry meters, BolOrders bolOrders, BolAssignments bolAssignments,
                       tools.jackson.databind.json.JsonMapper json) {
        this.bolOrders = bolOrders;
        this.bolAssignments = bolAssignments;
        this.json = json;
        this.depth = io.micrometer.core.instrument.MultiGauge.builder("tilldela.provisioning.queue.depth")
                .description("provisioning operations pending or in flight, per supplier").register(meters);
        this.hosts = hosts;
        this.egil = egil;
        this.deletions = deletions;
        this.settings = settings;
        this.queue = queue;
        this.connectors = connectors;
        this.policy = policy;
        this.groups = groups;
        this.transaction = new TransactionTemplate(transactions);
    }

    @Override
    public void start() {
        if (!settings.workerEnabled()) {
            return;
        }
        running = true;
        workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("provisioning-", 0).factory());
        dispatcher = Thread.ofPlatform().daemon().name("provisioning-dispatcher").start(this::dispatch);
    }

    @Override
    public void stop() {
        running = false;
        if (dispatcher != null) {
            dispatcher.interrupt();
        }
        if (workers != null) {
            workers.shutdownNow();
        }
        clients.values().forEach(ScimClient::close);
        clients.clear();
        bolClients.values().forEach(BolClient::close);
        bolClients.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** How long done operations are kept. */
    static final Duration KEEP_DONE = Duration.ofDays(7);

    /** How often the queue depth per supplier (a metric) is counted: a query over the outbox, so not on every poll. */
    static final Duration COUNT_DEPTH_EVERY = Duration.ofSeconds(15);

    private void dispatch() {
        Instant nextPrune = Instant.now();
        Instant nextDepth = Instant.now();
        while (running) {
            try {
                if (Instant.now().isAfter(nextPrune)) {
                    queue.prune(KEEP_DONE);
                    nextPrune = Instant.now().plus(Duration.ofHours(1));
                }
                if (Instant.now().isAfter(nextDepth)) {
                    depth.register(queue.depthBySupplier().entrySet().stream()
                            .map(e -> io.micrometer.core.instrument.MultiGauge.Row.of(io.micrometer.core.instrument.Tags.of("supplier", e.getKey()), e.getValue()))
                            .toList(), true);
                    nextDepth = Instant.now().plus(COUNT_DEPTH_EVERY);
                }
                if (sendingOrders.compareAndSet(false, true)) {
                    workers.execute(() -> {
                        try {
                            sendOrders();
                        } catch (RuntimeException e) {
                            log.warn("BOL order sender stopped: {}", e.getClass().getSimpleName());
                        } finally {
                            sendingOrders.set(false);
                        }
                    });
                }
                for (UUID connector : queue.connectorsWithDueWork()) {
                    AtomicInteger n = busy.computeIfAbsent(connector, c -> new AtomicInteger());
                    if (n.incrementAndGet() > settings.perConnectorConcurrency()) {
                        n.decrementAndGet();
                        continue;
                    }
                    workers.execute(() -> {
                        try {
                            drain(connector);
                        } catch (RuntimeException e) {
                            log.warn("Provisioning worker for connector {} stopped: {}", connector, e.getClass().getSimpleName());
                        } finally {
                            n.decrementAndGet();
                        }
                    });
                }
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("Provisioning dispatcher: {}", e.toString());
                }
            }
            try {
                Thread.sleep(settings.pollInterval());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Claims and pushes this connector's due operations until none is left (or the supplier asks us to wait). */
    void drain(UUID connector) {
        while (running) {
            List<Queue.Op> ops = queue.claim(connector, claimSize(connector), settings.lease());
            if (ops.isEmpty() || !push(connector, ops)) {
                return;
            }
        }
    }

    /** A larger batch for a supplier that takes Bulk requests (as its configuration, once read, says). */
    private int claimSize(UUID connector) {
        ScimClient known = clients.get(connector);
        // only as already known: asking the supplier here would be a request outside any operation's attempt
        return known != null && known.knownBulk() != null ? Math.max(settings.batchSize(), settings.bulkBatchSize()) : settings.batchSize();
    }

    /** Pushes one claimed batch; false when the connector must wait (the rest of the batch went back to the queue). */
    boolean push(UUID connectorId, List<Queue.Op> ops) {
        Connectors.Endpoint endpoint;
        try {
            endpoint = connectors.endpoint(connectorId).orElse(null);
        } catch (RuntimeException e) {
            // a secret that cannot be decrypted (another key than it was stored with): nothing of the batch stays in flight
            // until its lease runs out; it goes back, attempts not counted, with the reason on the connector and on each
            String reason = "the connector's stored secret could not be decrypted (" + e.getClass().getSimpleName()
                    + "): check the secrets key (tilldela.data-dir), or give the connector's secret again";
            Duration wait = settings.backoffMax();
            queue.putBack(ops, wait, reason);
            queue.backOff(connectorId, wait);
            return false;
        }
        if (endpoint == null) {
            return false; // removed meanwhile: its operations went with it
        }
        if (endpoint.bol()) {
            BolClient bol;
            try {
                bol = bolClient(endpoint);
            } catch (RuntimeException e) {
                String reason = "the connection could not be set up: " + e.getMessage();
                queue.putBack(ops, settings.backoffMax(), reason);
                queue.backOff(connectorId, settings.backoffMax());
                return false;
            }
            return bolAssignments.push(bol, ops, queue, this::settle);
        }
        ScimClient scim;
        try {
            scim = client(endpoint);
        } catch (RuntimeException e) {
            // e.g. a client certificate the TLS stack refuses: a fault of the connector's set-up, not of one person's
            // operation — the batch goes back, attempts not counted, and the reason is visible on the connector and on each
            String reason = "the connection could not be set up: " + e.getMessage();
            Duration wait = settings.backoffMax();
            queue.putBack(ops, wait, reason);
            queue.backOff(connectorId, wait);
            return false;
        }
        if (endpoint.egil()) {
            // EGIL's order across the batch too (a batch holds one operation per person): creates and updates, then
            // deactivations, then deletions
            ops = ops.stream().sorted(java.util.Comparator.comparingInt((Queue.Op o) -> switch (o.kind()) {
                case "SYNC" -> 0;
                case "DEACTIVATE" -> 1;
                default -> 2;
            }).thenComparingLong(Queue.Op::id)).toList();
        }
        Released released = release(connectorId, ops);
        ScimClient.BulkLimits bulk = null;
        if (!endpoint.egil()) { // EGIL's objects go one by one, in EGIL's order
            ScimClient.RETRY_AFTER.remove();
            try {
                // the supplier's configuration (read once per connector version) says whether it takes Bulk
                bulk = scim.patchSupported() ? scim.bulk() : null;
            } catch (Exception e) {
                // the configuration's request was this batch's first call: settled as the first operation's attempt, as on the one-by-one path
                Failure failure = Failure.of(e, ScimClient.RETRY_AFTER.get());
                Duration wait = settle(ops.getFirst(), failure);
                if (failure.retriable()) {
                    queue.backOff(connectorId, wait);
                    queue.putBack(ops.subList(1, ops.size()), wait);
                    return false;
                }
                ops = ops.subList(1, ops.size());
            }
        }
        java.util.Set<Long> unsure = new java.util.HashSet<>();
        if (bulk != null) {
            // deletions keep their own path (each answer is the holding's receipt), and so do persons whose release could
            // not be decided (settled below, each on its own); the rest goes in Bulk requests
            List<Queue.Op> oneByOne = ops.stream().filter(o -> o.kind().equals("DELETE") || released.failed().containsKey(o.personId())).toList();
            List<Queue.Op> viaBulk = ops.stream().filter(o -> !oneByOne.contains(o)).toList();
            BulkPush.Result result = new BulkPush(queue, groups, transaction, settings.lease(), this::settle)
                    .push(scim, bulk, viaBulk, released.values());
            if (!result.notSent().isEmpty() || (result.backOff() != null && result.oneByOne().isEmpty())) {
                Duration wait = result.backOff() == null ? backoff(1, null) : result.backOff();
                queue.backOff(connectorId, wait);
                List<Queue.Op> back = new java.util.ArrayList<>(result.notSent());
                back.addAll(result.oneByOne());
                back.addAll(oneByOne);
                queue.putBack(back, wait);
                return false;
            }
            if (result.backOff() != null) {
                queue.backOff(connectorId, result.backOff());
            }
            List<Queue.Op> rest = new java.util.ArrayList<>(result.oneByOne());
            rest.addAll(oneByOne);
            ops = rest;
            // back from Bulk with an outcome unknown (an answer missing or lost): what reached the supplier is read first
            result.oneByOne().forEach(o -> unsure.add(o.id()));
        }
        // the batch's group memberships go together, after its users (one request per group, not per membership)
        boolean groupsTogether = !endpoint.egil() && endpoint.pushesGroups();
        List<Grouping> grouping = new java.util.ArrayList<>();
        // the batch's accounts, read once (each person is in the batch once, and their account is this worker's to change)
        Map<UUID, Queue.Account> accounts = queue.accounts(connectorId, ops.stream().map(Queue.Op::personId).toList());
        for (int i = 0; i < ops.size(); i++) {
            Queue.Op op = ops.get(i);
            Failure refused = released.failed().get(op.personId());
            if (refused != null) {
                // this person's release could not be decided: their operation is retried (or dead) on its own, the others go on
                if (queue.renew(op, settings.lease())) {
                    settle(op, refused);
                }
                continue;
            }
            if (!queue.renew(op, settings.lease())) {
                continue; // its lease ran out and another worker has it now
            }
            ScimClient.RETRY_AFTER.remove();
            Map<Attribute, Object> values = released.values().get(op.personId());
            try {
                Queue.Account had = accounts.get(op.personId());
                if (op.kind().equals("SYNC") && (values == null || values.isEmpty()) && had != null && had.active()) {
                    // would deactivate: queued as a deactivation instead, which the deletion brake counts (Queue.becomeDeactivation)
                    queue.becomeDeactivation(op);
                } else if (op.kind().equals("DELETE")) {
                    if (deletions.send(scim, op)) {
                        queue.deleted(op);
                    } else {
                        queue.discarded(op, "not sent: the account is active again (the person holds a licence the connector serves)");
                    }
                } else if (groupsTogether) {
                    Queue.Account account = applyUser(scim, op, had, values);
                    if (account == null) {
                        queue.done(op, null);
                    } else {
                        // a second attempt: the first may have reached the supplier with its answer lost
                        grouping.add(new Grouping(op, account, values, op.attempts() > 1 || unsure.contains(op.id())));
                    }
                } else {
                    queue.done(op, apply(scim, op, had, values));
                }
            } catch (Exception e) {
                Failure failure = Failure.of(e, ScimClient.RETRY_AFTER.get()).masked(values);
                log.info("Provisioning operation {} at connector {} failed (attempt {}): {}", op.id(), connectorId, op.attempts(),
                        failure.status());
                Duration wait = settle(op, failure);
                if (failure.retriable()) {
                    // the supplier is failing or asked us to wait: leave it alone, the other suppliers go on; the users
                    // already made have their groups tried first (they are this worker's still)
                    pushGroups(scim, connectorId, grouping);
                    queue.backOff(connectorId, wait);
                    queue.putBack(ops.subList(i + 1, ops.size()), wait);
                    return false;
                }
            }
        }
        return pushGroups(scim, connectorId, grouping);
    }

    /** An operation whose user is at the supplier and whose group memberships are still to go, with the batch's others. */
    private record Grouping(Queue.Op op, Queue.Account account, Map<Attribute, Object> values, boolean unsure) {
    }

    /**
     * The batch's memberships, together ({@link GroupMemberships#syncAll}); each operation is then done, or settled with
     * the reason its groups failed. False when the connector must wait (a retriable failure).
     */
    private boolean pushGroups(ScimClient scim, UUID connectorId, List<Grouping> grouping) {
        if (grouping.isEmpty()) {
            return true;
        }
        // known here before the groups are tried: a failing group step must not leave an account we cannot deactivate
        queue.rememberAll(grouping.stream().map(g -> new Queue.Settled(g.op(), g.account())).toList());
        ScimClient.RETRY_AFTER.remove();
        // an inactive account is in no group: a group has only the connector's licence holders as members
        Map<UUID, Exception> failed = groups.syncAll(scim, connectorId, grouping.stream()
                .map(g -> new GroupMemberships.Wanted(g.op().personId(), g.account().scimId(),
                        g.account().active() ? GroupMemberships.released(g.values()) : Map.of(), g.unsure()))
                .toList());
        String retryAfter = ScimClient.RETRY_AFTER.get();
        Duration backOff = null;
        List<Queue.Settled> done = new java.util.ArrayList<>();
        for (Grouping g : grouping) {
            Exception e = failed.get(g.op().personId());
            if (e == null) {
                done.add(new Queue.Settled(g.op(), g.account()));
                continue;
            }
            Failure failure = Failure.of(e, retryAfter).masked(g.values());
            log.info("Provisioning operation {} at connector {} failed in its groups (attempt {}): {}", g.op().id(), connectorId,
                    g.op().attempts(), failure.status());
            Duration wait = settle(g.op(), failure);
            if (failure.retriable() && (backOff == null || wait.compareTo(backOff) > 0)) {
                backOff = wait;
            }
        }
        queue.doneAll(done);
        grouping.clear();
        if (backOff != null) {
            queue.backOff(connectorId, backOff);
            return false;
        }
        return true;
    }

    /** What may go about a batch's persons, and the persons whose release could not be decided (each with why). */
    record Released(Map<UUID, Map<Attribute, Object>> values, Map<UUID, Failure> failed) {
    }

    private Duration settle(Queue.Op op, Failure failure) {
        Duration wait = backoff(op.attempts(), failure.retryAfter());
        if (!failure.retriable() || op.attempts() >= settings.maxAttempts()) {
            queue.dead(op, failure.reason());
        } else {
            queue.retry(op, wait, failure.reason());
        }
        return wait;
    }

    /**
     * What may go about the batch's persons, per product the connector serves, merged per person: one decision
     * per person and product, recorded in the disclosure ledger and committed before anything is sent.
     */
    private Released release(UUID connector, List<Queue.Op> ops) {
        List<UUID> persons = ops.stream().filter(o -> o.kind().equals("SYNC")).map(Queue.Op::personId).distinct().toList();
        if (persons.isEmpty()) {
            return new Released(Map.of(), Map.of());
        }
        try {
            return new Released(releaseAll(connector, persons), Map.of());
        } catch (RuntimeException batchFailed) {
            // one person's data may be what fails the batch: decided one by one, so that only their operation is charged
            Map<UUID, Map<Attribute, Object>> values = new HashMap<>();
            Map<UUID, Failure> failed = new HashMap<>();
            for (UUID person : persons) {
                try {
                    values.putAll(releaseAll(connector, List.of(person)));
                } catch (RuntimeException e) {
                    failed.put(person, new Failure(true, "the release could not be decided: " + e.getClass().getSimpleName(), null));
                }
            }
            return new Released(values, failed);
        }
    }

    private Map<UUID, Map<Attribute, Object>> releaseAll(UUID connector, List<UUID> persons) {
        return transaction.execute(status -> {
            Map<UUID, Map<Attribute, Object>> merged = new HashMap<>();
            for (UUID product : queue.servedProducts(connector)) {
                for (Release r : policy.releaseAll(persons, product, Channel.SCIM_PUSH)) {
                    if (!r.isEmpty()) {
                        Map<Attribute, Object> values = merged.computeIfAbsent(r.personId(), p -> new EnumMap<>(Attribute.class));
                        r.values().forEach(values::putIfAbsent);
                    }
                }
            }
            return merged;
        });
    }

    /** Brings the supplier's account in line (EGIL's objects, or a user whose connector pushes no groups). */
    private Queue.Account apply(ScimClient scim, Queue.Op op, Queue.Account account, Map<Attribute, Object> values) throws ScimException {
        return scim.endpoint().egil() ? egil.apply(scim, op, values) : applyUser(scim, op, account, values);
    }

    /** Brings the supplier's user in line from the account as recorded (null: none); answers the account as it now stands (null: none). */
    private Queue.Account applyUser(ScimClient scim, Queue.Op op, Queue.Account account, Map<Attribute, Object> values) throws ScimException {
        if (op.kind().equals("DEACTIVATE") || values == null || values.isEmpty()) {
            // a leaver, or nothing may go any more (licence ended, objection, agreement revoked): active=false
            if (account == null || !account.active()) {
                return account;
            }
            try {
                scim.deactivate(account.scimId());
            } catch (ScimException e) {
                if (status(e) != 404) {
                    throw e;
                }
            }
            return new Queue.Account(account.scimId(), account.externalId(), false, account.digest());
        }
        String externalId = ScimUsers.externalId(values);
        if (externalId == null) {
            throw new Refused("the release holds no pseudonymous id (PSEUDONYMOUS_ID) to send as externalId: the product must declare it");
        }
        UserResource user = ScimUsers.user(values);
        String digest = ScimUsers.digest(user);
        if (account != null) {
            try {
                scim.update(account.scimId(), user);
                return new Queue.Account(account.scimId(), externalId, true, digest);
            } catch (ScimException e) {
                if (status(e) != 404) {
                    throw e;
                }
                // the supplier removed it: made anew below
            }
        }
        if (account == null && op.attempts() == 1) {
            // the operation's first try: nothing of it can have reached the supplier yet, so it makes the user without
            // looking first (as in a Bulk request); a user the supplier has already — made by an earlier connector, or
            // by a try whose answer was lost and which then became a dead letter — is refused with 409 (userName is
            // unique at the supplier, RFC 7643 §4.1.1) and found below
            try {
                UserResource created = scim.create(user);
                return new Queue.Account(created.getId(), externalId, true, digest);
            } catch (ScimException e) {
                if (status(e) != 409) {
                    throw e;
                }
            }
        }
        // idempotent create: a create whose answer was lost finds the user it made, by externalId
        UserResource found = scim.findByExternalId(externalId);
        if (found == null) {
            try {
                UserResource created = scim.create(user);
                return new Queue.Account(created.getId(), externalId, true, digest);
            } catch (ScimException e) {
                if (status(e) != 409) {
                    throw e;
                }
                found = scim.findByExternalId(externalId);
                if (found == null) {
                    throw e;
                }
            }
        }
        scim.update(found.getId(), user);
        return new Queue.Account(found.getId(), externalId, true, digest);
    }

    /** Sends the due BOL orders one by one until none is left; a connector whose publisher fails is backed off, the others go on. */
    void sendOrders() {
        while (running) {
            List<BolOrders.Due> due = bolOrders.claim(1, settings.lease());
            if (due.isEmpty()) {
                return;
            }
            BolOrders.Due order = due.getFirst();
            Connectors.Endpoint endpoint;
            BolClient client;
            try {
                endpoint = connectors.endpoint(order.connectorId()).orElseThrow();
                client = bolClient(endpoint);
            } catch (RuntimeException e) {
                // a secret that cannot be decrypted, a certificate the TLS stack refuses: the connector's set-up, not the order
                bolOrders.putBack(order, settings.backoffMax(), "the connection could not be set up (" + e.getClass().getSimpleName()
                        + "): check the connector's secrets and certificates");
                queue.backOff(order.connectorId(), settings.backoffMax());
                continue;
            }
            Failure failure = bolOrders.send(client, order, settings.maxAttempts(), this::backoff);
            if (failure != null && failure.retriable()) {
                queue.backOff(order.connectorId(), backoff(order.attempts(), failure.retryAfter()));
            }
        }
    }

    private BolClient bolClient(Connectors.Endpoint endpoint) {
        return cached(bolClients, endpoint, () -> new BolClient(endpoint, settings.httpTimeout(), hosts, json));
    }

    private ScimClient client(Connectors.Endpoint endpoint) {
        return cached(clients, endpoint, () -> new ScimClient(endpoint, settings.httpTimeout(), hosts));
    }

    /** The connector's client, kept while the connector is unchanged; one made for an older version is closed and made anew. */
    private static <C extends ConnectorClient> C cached(Map<UUID, C> clients, Connectors.Endpoint endpoint, java.util.function.Supplier<C> make) {
        return clients.compute(endpoint.id(), (id, existing) -> {
            if (existing != null && existing.endpoint().version().equals(endpoint.version())) {
                return existing;
            }
            if (existing != null) {
                existing.close();
            }
            return make.get();
        });
    }

    /** A supplier asking to wait longer than this is asked again after this. */
    static final Duration LONGEST_RETRY_AFTER = Duration.ofHours(1);

    /** base · 2^(attempt−1), at most the maximum, jittered to between half and all of it; never before Retry-After (up to an hour). */
    Duration backoff(int attempt, Duration retryAfter) {
        long max = settings.backoffMax().toMillis();
        long exp = Math.min(max, settings.backoffBase().toMillis() << Math.min(30, Math.max(0, attempt - 1)));
        long jittered = exp / 2 + ThreadLocalRandom.current().nextLong(exp / 2 + 1);
        if (retryAfter != null) {
            jittered = Math.max(jittered, Math.min(LONGEST_RETRY_AFTER.toMillis(), retryAfter.toMillis()));
        }
        return Duration.ofMillis(jittered);
    }

    private static int status(ScimException e) {
        Integer status = e.getScimError() == null ? null : e.getScimError().getStatus();
        return status == null ? 0 : status;
    }

    /** A refusal no retry can mend (the operation itself is wrong). */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    /**
     * Why an attempt failed. Retriable: timeouts, broken connections, malformed answers, 5xx, 408, 429, 401 (a
     * token to renew); not: other 4xx (the supplier refuses this operation as it is) — it becomes a dead letter
     * at once, with the supplier's text.
     */
    record Failure(boolean retriable, String reason, Duration retryAfter) {

        static Failure of(Exception e, String retryAfterHeader) {
            Duration retryAfter = retryAfter(retryAfterHeader);
            if (e instanceof ScimException s) {
                int status = ProvisioningWorker.status(s);
                String detail = s.getScimError() != null && s.getScimError().getDetail() != null ? s.getScimError().getDetail() : s.getMessage();
                boolean retriable = status == 0 || status >= 500 || status == 408 || status == 429 || status == 401;
                return new Failure(retriable, cut("HTTP " + status + ": " + detail + causes(s.getCause())), retryAfter);
            }
            if (e instanceof Refused r) {
                return new Failure(false, r.getMessage(), null);
            }
            if (e instanceof ProcessingException p) {
                return new Failure(true, cut(p.getMessage() + causes(p.getCause())), retryAfter);
            }
            return new Failure(true, cut(e.getClass().getSimpleName() + ": " + e.getMessage()), retryAfter);
        }

        /**
         * The reason with anything of ours the supplier may have echoed masked — the names, e-mail address, display
         * name and userName we sent about the person, and whatever looks like an e-mail address or a civic number
         * ({@link SupplierErrors#mask}) — so a dead letter shows the supplier's words, not the pupil's data. Cut only when
         * stored ({@link Queue}, which masks again with the persons' directory values: what was not sent, say at a
         * deactivation, is masked there).
         */
        Failure masked(Map<Attribute, Object> sent) {
            return maskedAll(sent == null ? List.of() : List.of(sent));
        }

        /** As {@link #masked(Map)}, for a failure that may echo what was sent about any of several persons (a Bulk request's). */
        Failure maskedAll(java.util.Collection<Map<Attribute, Object>> sent) {
            java.util.Set<String> ours = new java.util.HashSet<>();
            for (Map<Attribute, Object> one : sent) {
                if (one == null || one.isEmpty()) {
                    continue;
                }
                UserResource user = ScimUsers.externalId(one) == null ? null : ScimUsers.user(one);
                for (Object v : List.of(String.valueOf(one.getOrDefault(Attribute.GIVEN_NAME, "")), String.valueOf(one.getOrDefault(Attribute.FAMILY_NAME, "")),
                        String.valueOf(one.getOrDefault(Attribute.EMAIL, "")), user == null || user.getDisplayName() == null ? "" : user.getDisplayName(),
                        user == null || user.getUserName() == null ? "" : user.getUserName())) {
                    ours.add(v.toString());
                }
            }
            return new Failure(retriable, SupplierErrors.mask(reason == null ? "" : reason, ours), retryAfter);
        }

        /** An operation's own status in a Bulk response, by the same rules as a call's. */
        static Failure ofStatus(int status, String detail) {
            boolean retriable = status == 0 || status >= 500 || status == 408 || status == 429 || status == 401;
            return new Failure(retriable, cut("HTTP " + status + ": " + detail), null);
        }

        /** For the log: the status or kind only, never the supplier's text (it may echo personal data). */
        String status() {
            return reason.startsWith("HTTP ") ? reason.substring(0, Math.min(reason.length(), 8)) : (retriable ? "transient failure" : "refused");
        }

        private static String causes(Throwable t) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; t != null && i < 3; i++, t = t.getCause()) {
                b.append(" ← ").append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
            }
            return b.toString();
        }

        /** Stored trimmed: white space runs (a supplier's HTML error page, a stack trace) made one space, at most 500 characters. */
        static String cut(String s, int max) {
            String t = s == null ? "" : s.replaceAll("\\s+", " ").strip();
            return t.length() > max ? t.substring(0, max) + "…" : t;
        }

        private static String cut(String s) {
            return cut(s, 20_000); // masked (masked, and Queue when it is stored), then cut to MAX_REASON when stored
        }

        static final int MAX_REASON = SupplierErrors.MAX_LENGTH;

        /** Retry-After (RFC 9110 §10.2.3): seconds, or an HTTP date. */
        static Duration retryAfter(String header) {
            if (header == null || header.isBlank()) {
                return null;
            }
            try {
                return Duration.ofSeconds(Math.max(0, Long.parseLong(header.strip())));
            } catch (NumberFormatException e) {
                try {
                    Duration d = Duration.between(Instant.now(), ZonedDateTime.parse(header.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                    return d.isNegative() ? Duration.ZERO : d;
                } catch (java.time.format.DateTimeParseException unparsable) {
                    return null;
                }
            }
        }
    }
}
