package org.tilldela.provisioning;

import jakarta.ws.rs.ProcessingException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.governance.AuditTrail;
import org.tilldela.licensing.LicencePools;
import org.tilldela.platform.InstanceSecrets;
import org.tilldela.platform.SecretsAtRest;
import org.tilldela.purchase.Deliveries;
import org.tilldela.purchase.LineDelivery;
import org.tilldela.purchase.OrderPlaced;
import tools.jackson.databind.json.JsonMapper;

/**
 * Orders towards publishers with a BOL connector (Beställning och Leverans, Sambruk). An order that goes through is
 * queued here in the order's own transaction ({@code bol_order}, one row per order and connector: the outbox), sent by the
 * provisioning worker to {@code /v1/orders/create} with retries and backoff like a SCIM push, and its lines' states —
 * from the publisher's answer, or from the later answers it posts to the order's {@code responseUrl} — are recorded on
 * the order for the buyer ({@link Deliveries}). A delivered line is final.
 *
 * <p>The responseUrl carries a secret: an HMAC of the queued order's id under an installation secret, so it is the same on
 * every attempt (an answer to an attempt whose reply was lost is still taken), is never stored, and is checked in
 * constant time. A call with a wrong secret is told nothing (404).
 */
@Component
class BolOrders {

    private static final Logger log = LoggerFactory.getLogger(BolOrders.class);

    /** Where the publisher posts its later answers: {@code {base}/bol/responses/{queued order}/{secret}}. */
    static final String RESPONSE_PATH = "/bol/responses/";

    private final JdbcClient jdbc;
    private final Deliveries deliveries;
    private final OrganisationBrowser organisations;
    private final InstanceSecrets instanceSecrets;
    private final SecretsAtRest secrets;
    private final JsonMapper json;
    private final AuditTrail audit;
    private final Environment environment;
    private final TransactionTemplate transaction;
    private final Outbox outbox;
    private final LicencePools pools;

    private final Catalog catalog;
    private final org.tilldela.purchase.Orders purchaseOrders;

    BolOrders(Catalog catalog, org.tilldela.purchase.Orders purchaseOrders, JdbcClient jdbc, Deliveries deliveries, OrganisationBrowser organisations, InstanceSecrets instanceSecrets,
              SecretsAtRest secrets, JsonMapper json, AuditTrail audit, Environment environment, PlatformTransactionManager transactions, Outbox outbox, LicencePools pools) {
        this.catalog = catalog;
        this.purchaseOrders = purchaseOrders;
        this.outbox = outbox;
        this.pools = pools;
        this.jdbc = jdbc;
        this.deliveries = deliveries;
        this.organisations = organisations;
        this.instanceSecrets = instanceSecrets;
        this.secrets = secrets;
        this.json = json;
        this.audit = audit;
        this.environment = environment;
        this.transaction = new TransactionTemplate(transactions);
    }

    /**
     * Queues the order for every BOL connector serving one of its products (in the order's transaction). Trial lines are
     * not ordered: a trial is free and reaches the publisher as its assignments ({@code freeTrial}).
     */
    @EventListener
    void on(OrderPlaced order) {
        List<OrderPlaced.Line> bought = order.lines().stream().filter(l -> !l.trial()).toList();
        if (bought.isEmpty()) {
            return;
        }
        Map<UUID, List<OrderPlaced.Line>> byConnector = new LinkedHashMap<>();
        jdbc.sql("""
                        select cp.connector_id, cp.product_id from provisioning_connector_product cp
                        join provisioning_connector c on c.id = cp.connector_id and c.profile = 'BOL'
                        where cp.product_id = any(:products) order by cp.connector_id
                        """)
                .param("products", bought.stream().map(OrderPlaced.Line::productId).distinct().toArray(UUID[]::new))
                .query(rs -> {
                    UUID connector = rs.getObject(1, UUID.class);
                    UUID product = rs.getObject(2, UUID.class);
                    bought.stream().filter(l -> l.productId().equals(product))
                            .forEach(l -> byConnector.computeIfAbsent(connector, c -> new ArrayList<>()).add(l));
                });
        java.util.Set<UUID> bundles = new java.util.HashSet<>();
        catalog.products(bought.stream().map(OrderPlaced.Line::productId).distinct().toList()).stream()
                .filter(p -> p.kind() == Product.Kind.BUNDLE).forEach(p -> bundles.add(p.id()));
        byConnector.forEach((connector, lines) -> {
            // a bundle's digital part is activated (its printed part is bought as printed books are); the rest is ordered
            for (Kind kind : Kind.values()) {
                List<OrderPlaced.Line> ofKind = lines.stream().filter(l -> bundles.contains(l.productId()) == (kind == Kind.ACTIVATION)).toList();
                if (!ofKind.isEmpty()) {
                    queue(connector, order, kind, ofKind);
                }
            }
        });
    }

    /** What a queued message asks of the publisher: an order, or the activation of hybrid articles' digital licences. */
    enum Kind { ORDER, ACTIVATION }

    private void queue(UUID connector, OrderPlaced order, Kind kind, List<OrderPlaced.Line> lines) {
        // a line goes to one publisher connection: two BOL connectors serving the same product (a mistake, or a test
        // service next to the real one) do not both order it — the first one does, and the other sends no empty order
        List<UUID> taken = jdbc.sql("select line_id from bol_order_line where line_id = any(:l)")
                .param("l", lines.stream().map(OrderPlaced.Line::lineId).toArray(UUID[]::new)).query(UUID.class).list();
        lines = lines.stream().filter(l -> !taken.contains(l.lineId())).toList();
        if (lines.isEmpty()) {
            return;
        }
        // the activation's own id is the order number marked as such: the same on every attempt
        String number = kind == Kind.ORDER ? Long.toString(order.number()) : order.number() + "-A";
        long queued = jdbc.sql("""
                        insert into bol_order (connector_id, order_id, client_order_number, organiser_id, scope_id, kind)
                        values (:c, :o, :n, :org, :scope, :kind)
                        on conflict (connector_id, order_id, kind) do update set order_id = excluded.order_id returning id
                        """).param("c", connector).param("o", order.orderId()).param("n", number).param("kind", kind.name())
                .param("org", order.organiserId()).param("scope", order.scopeId()).query(Long.class).single();
        for (OrderPlaced.Line l : lines) {
            jdbc.sql("""
                            insert into bol_order_line (bol_order_id, line_id, article_number, product_id, quantity, unit_price, currency)
                            values (:q, :l, :a, :p, :n, :price, :currency) on conflict (line_id) do nothing
                            """)
                    .param("q", queued).param("l", l.lineId()).param("a", l.articleNumber()).param("p", l.productId())
                    .param("n", l.seats() != null ? l.seats() : Math.max(1, l.recipients())).param("price", l.unitPrice())
                    .param("currency", l.currency()).update();
            deliveries.record(l.lineId(), new LineDelivery(LineDelivery.Status.QUEUED, null, null, null, 0, null, null));
        }
    }

    /** A queued order claimed for sending: its connector, its lines, and how many attempts it has had (this one included). */
    record Due(long id, UUID connectorId, UUID orderId, String clientOrderNumber, int attempts, Kind kind) {
    }

    /** Claims due orders (of connectors not paused nor backing off); an attempt is counted, the lease keeps it this worker's. */
    List<Due> claim(int limit, Duration lease) {
        return jdbc.sql("""
                        update bol_order b set state = 'IN_FLIGHT', attempts = attempts + 1, lease_until = now() + make_interval(secs => :lease)
                        where b.id in (select q.id from bol_order q join provisioning_connector c on c.id = q.connector_id
                                       where c.enabled and (c.backoff_until is null or c.backoff_until <= now())
                                         and (q.state = 'QUEUED' and q.not_before <= now() or q.state = 'IN_FLIGHT' and q.lease_until < now())
                                       order by q.id limit :n for update of q skip locked)
                        returning b.id, b.connector_id, b.order_id, b.client_order_number, b.attempts, b.kind
                        """)
                .param("lease", lease.toSeconds()).param("n", limit)
                .query((rs, n) -> new Due(rs.getLong(1), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class), rs.getString(4), rs.getInt(5),
                        Kind.valueOf(rs.getString(6))))
                .list();
    }

    /**
     * The order as BOL's {@code /v1/orders/create} takes it, or the activation as {@code /v1/hybrids/activate} does; null
     * when none of its lines is left to send.
     */
    Object request(Due due, String serviceProviderId) {
        record Head(UUID organiser, UUID scope) {
        }
        Head head = jdbc.sql("select organiser_id, scope_id from bol_order where id = :q").param("q", due.id())
                .query((rs, n) -> new Head(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class))).single();
        // a line the buyer cancelled meanwhile (it could be, as it had not reached the publisher) is not sent
        java.util.Set<String> cancelled = new java.util.HashSet<>();
        purchaseOrders.order(due.orderId()).ifPresent(o -> o.lines().stream().filter(org.tilldela.purchase.Order.Line::cancelled)
                .forEach(l -> cancelled.add(l.id().toString())));
        List<BolMessages.OrderLine> lines = jdbc.sql("""
                        select line_id, article_number, quantity, unit_price, currency from bol_order_line where bol_order_id = :q order by line_id
                        """).param("q", due.id())
                .query((rs, n) -> new BolMessages.OrderLine(rs.getObject(1, UUID.class).toString(), rs.getString(2), rs.getInt(3),
                        rs.getBigDecimal(4), rs.getString(5))).list()
                .stream().filter(l -> !cancelled.contains(l.clientOrderLineId())).toList();
        if (lines.isEmpty()) {
            return null;
        }
        String organiserName = organisations.organisation(head.organiser()).map(OrganisationBrowser.Organisation::name).orElse(null);
        BolMessages.School school = organisations.organisation(head.scope()).filter(o -> "SCHOOL_UNIT".equals(o.kind())).map(BolOrders::school)
                .orElse(null);
        BolMessages.Buyer buyer = new BolMessages.Buyer("organization", null, organiserName, school);
        if (due.kind() == Kind.ACTIVATION) {
            String orderNumber = due.clientOrderNumber().substring(0, due.clientOrderNumber().length() - 2);
            return new BolMessages.ActivationRequest(clientId(), serviceProviderId, due.clientOrderNumber(), orderNumber, responseUrl(due.id()), buyer,
                    lines.stream().map(l -> new BolMessages.ActivationLine(l.clientOrderLineId(), l.clientOrderLineId(), l.articleNumber(), l.quantity()))
                            .toList());
        }
        return new BolMessages.OrderRequest(clientId(), serviceProviderId, due.clientOrderNumber(), null, responseUrl(due.id()), buyer, lines);
    }

    /**
     * Sends one claimed order and records what came of it: the publisher's answer applied to the lines (state SENT), a
     * refusal (400, 409 on a first attempt) or the last attempt's failure as a dead letter whose lines are NOT_SENT, or
     * another attempt later. Answers the failure, for the worker to back the connector off (null: none).
     */
    ProvisioningWorker.Failure send(BolClient client, Due due, int maxAttempts, java.util.function.BiFunction<Integer, Duration, Duration> backoff) {
        Object request = request(due, client.endpoint().serviceProviderId());
        if (request == null) {
            jdbc.sql("update bol_order set state = 'SENT', lease_until = null, last_error = :e where id = :id")
                    .param("id", due.id()).param("e", "not sent: every line was cancelled").update();
            return null;
        }
        ProvisioningWorker.Failure failure;
        try {
            BolClient.Answer<? extends BolMessages.Answered> answer = due.kind() == Kind.ACTIVATION
                    ? client.post("/v1/hybrids/activate", request, BolMessages.ActivationResponse.class)
                    : client.post("/v1/orders/create", request, BolMessages.OrderResponse.class);
            if (answer.body() != null) {
                String refused = answered(due.id(), answer.body(), due.kind() == Kind.ACTIVATION ? "ACTIVATION_ANSWERED" : "ORDER_ANSWERED");
                if (refused == null) {
                    return null;
                }
                failure = new ProvisioningWorker.Failure(true, "the publisher's answer does not fit the order: " + refused, null);
            } else if (answer.status() == 409 && due.attempts() > 1) {
                // an earlier attempt reached the publisher and only its answer was lost: the order is there, its lines'
                // states come to the responseUrl
                transaction.executeWithoutResult(s -> {
                    jdbc.sql("update bol_order set state = 'SENT', sent_at = coalesce(sent_at, now()), lease_until = null, last_error = :e where id = :id")
                            .param("id", due.id()).param("e", "409 on attempt " + due.attempts() + ": the publisher has the order from an earlier attempt")
                            .update();
                    linesOf(due.id()).forEach(line -> deliveries.record(line,
                            new LineDelivery(LineDelivery.Status.BEING_PROCESSED, null, null, null, 0, null, null)));
                });
                return null;
            } else {
                failure = answer.failure();
            }
        } catch (ProcessingException e) {
            failure = new ProvisioningWorker.Failure(true, ProvisioningWorker.Failure.cut(e.getMessage(), 2000), null);
        }
        ProvisioningWorker.Failure failed = failure;
        boolean dead = !failed.retriable() || due.attempts() >= maxAttempts;
        Duration wait = backoff.apply(due.attempts(), failed.retryAfter());
        transaction.executeWithoutResult(s -> {
            jdbc.sql("""
                            update bol_order set state = case when :dead then 'DEAD' else 'QUEUED' end, lease_until = null, last_error = :e,
                                   not_before = now() + make_interval(secs => :wait) where id = :id and state = 'IN_FLIGHT'
                            """)
                    .param("id", due.id()).param("dead", dead).param("e", failed.reason()).param("wait", wait.toMillis() / 1000.0).update();
            if (dead) {
                linesOf(due.id()).forEach(line -> deliveries.record(line,
                        new LineDelivery(LineDelivery.Status.NOT_SENT, null, null, null, 0, failed.reason(), null)));
            }
        });
        log.info("BOL order {} at connector {} failed (attempt {}): {}", due.id(), due.connectorId(), due.attempts(), failed.status());
        return failed;
    }

    /** A claimed order that could not be tried (the connector's set-up failed): back to the queue, the attempt not counted. */
    void putBack(Due due, Duration wait, String why) {
        jdbc.sql("""
                        update bol_order set state = 'QUEUED', attempts = greatest(0, attempts - 1), lease_until = null, last_error = :e,
                               not_before = now() + make_interval(secs => :wait) where id = :id and state = 'IN_FLIGHT'
                        """)
                .param("id", due.id()).param("e", why).param("wait", wait.toMillis() / 1000.0).update();
    }

    /** An organisation unit as BOL names a school: by its school unit code (idSource skolverket), else by Tilldela's id (client). */
    static BolMessages.School school(OrganisationBrowser.Organisation o) {
        return o.schoolUnitCode() != null && !o.schoolUnitCode().isBlank() ? new BolMessages.School("skolverket", o.schoolUnitCode(), o.name())
                : new BolMessages.School("client", o.id().toString(), o.name());
    }

    private List<UUID> linesOf(long queued) {
        return jdbc.sql("select line_id from bol_order_line where bol_order_id = :q order by line_id").param("q", queued).query(UUID.class).list();
    }

    /**
     * The publisher's answer to the order (synchronous, or posted to the responseUrl), applied to its lines in one
     * transaction; null when taken, else why not (nothing of it was applied): another order's number, another
     * publisher, a line not of this order, a status BOL does not know.
     */
    String answered(long queued, BolMessages.Answered answer, String how) {
        return transaction.execute(s -> {
            record Queued(String number, String serviceProvider, UUID connector, UUID order) {
            }
            Queued q = jdbc.sql("""
                            select b.client_order_number, c.service_provider_id, b.connector_id, b.order_id from bol_order b
                            join provisioning_connector c on c.id = b.connector_id where b.id = :id for update of b
                            """).param("id", queued)
                    .query((rs, n) -> new Queued(rs.getString(1), rs.getString(2), rs.getObject(3, UUID.class), rs.getObject(4, UUID.class)))
                    .optional().orElse(null);
            if (q == null) {
                return "no such order";
            }
            if (!q.number().equals(answer.number())) {
                return answer.numberField() + " " + answer.number() + " is not this order's (" + q.number() + ")";
            }
            if (answer.serviceProviderId() != null && q.serviceProvider() != null && !q.serviceProvider().equals(answer.serviceProviderId())) {
                return "serviceProviderId " + answer.serviceProviderId() + " is not this connector's publisher";
            }
            Map<UUID, String> statuses = new HashMap<>();
            jdbc.sql("select line_id, status from bol_order_line where bol_order_id = :q").param("q", queued)
                    .query(rs -> {
                        statuses.put(rs.getObject(1, UUID.class), rs.getString(2));
                    });
            List<BolMessages.OrderResponseLine> lines = answer.perLine();
            Map<UUID, BolMessages.OrderResponseLine> byLine = new LinkedHashMap<>();
            for (BolMessages.OrderResponseLine line : lines) {
                UUID id;
                try {
                    id = UUID.fromString(String.valueOf(line.clientOrderLineId()));
                } catch (IllegalArgumentException e) {
                    return "clientOrderLineId " + line.clientOrderLineId() + " is not a line of this order";
                }
                if (!statuses.containsKey(id)) {
                    return "clientOrderLineId " + line.clientOrderLineId() + " is not a line of this order";
                }
                if (status(line.status()) == null) {
                    return "status " + line.status() + " of line " + line.clientOrderLineId() + " is none of beingProcessed, backordered, delivered, failed";
                }
                byLine.put(id, line);
            }
            int changed = 0;
            List<UUID> delivered = new ArrayList<>();
            for (Map.Entry<UUID, BolMessages.OrderResponseLine> e : byLine.entrySet()) {
                BolMessages.OrderResponseLine line = e.getValue();
                if ("delivered".equals(statuses.get(e.getKey()))) {
                    continue; // final: a repeated or late answer changes nothing
                }
                List<String> keys = line.licenseKeys() == null ? List.of() : line.licenseKeys();
                jdbc.sql("update bol_order_line set status = :s, licence_keys = coalesce(:k, licence_keys) where line_id = :l")
                        .param("s", line.status()).param("l", e.getKey())
                        .param("k", keys.isEmpty() ? null : secrets.encrypt(json.writeValueAsString(keys))).update();
                deliveries.record(e.getKey(), new LineDelivery(status(line.status()), line.deliveryDate(), line.validFromDate(), line.validToDate(),
                        keys.size(), "failed".equals(line.status()) && line.errorMessage() != null && !line.errorMessage().isBlank()
                        ? ProvisioningWorker.Failure.cut(line.errorMessage(), 500) : null, null));
                changed++;
                if ("delivered".equals(line.status())) {
                    delivered.add(e.getKey());
                }
            }
            // delivered: the line's licences can be assigned now — its pool's holders are brought in line at the publisher
            for (UUID line : delivered) {
                pools.ofOrderLine(line).ifPresent(pool -> outbox.enqueue(q.connector(), pools.holdersEver(pool.id()), "SYNC", "BOL_ORDER_DELIVERED"));
            }
            jdbc.sql("""
                            update bol_order set state = 'SENT', sent_at = coalesce(sent_at, now()), lease_until = null, last_error = null,
                                   last_reply_at = now() where id = :id
                            """).param("id", queued).update();
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("connector", q.connector().toString());
            detail.put("order", q.order().toString());
            detail.put("lines", changed);
            byLine.values().stream().map(BolMessages.OrderResponseLine::status).distinct().sorted()
                    .forEach(st -> detail.put(st, byLine.values().stream().filter(l -> st.equals(l.status())).count()));
            audit.record("bol:" + q.connector(), "BOL_" + how, "purchase_order", q.order().toString(), detail);
            return null;
        });
    }

    private static LineDelivery.Status status(String bol) {
        return bol == null ? null : switch (bol) {
            case "beingProcessed" -> LineDelivery.Status.BEING_PROCESSED;
            case "backordered" -> LineDelivery.Status.BACKORDERED;
            case "delivered" -> LineDelivery.Status.DELIVERED;
            case "failed" -> LineDelivery.Status.FAILED;
            default -> null;
        };
    }

    /** What a post to the responseUrl came to. */
    enum Reply { TAKEN, UNKNOWN, REFUSED }

    /** A later answer posted to the responseUrl: UNKNOWN (a wrong secret or no such order: nothing said), REFUSED (with why), or TAKEN. */
    record ReplyOutcome(Reply outcome, String why) {
    }

    ReplyOutcome reply(long queued, String secret, byte[] body) {
        if (!MessageDigest.isEqual(secret(queued).getBytes(StandardCharsets.US_ASCII), secret == null ? new byte[0] : secret.getBytes(StandardCharsets.US_ASCII))) {
            return new ReplyOutcome(Reply.UNKNOWN, null);
        }
        BolMessages.Answered answer;
        try {
            tools.jackson.databind.JsonNode tree = json.readTree(body);
            // an activation's answer carries activationLines, an order's orderLines
            answer = tree.has("activationLines") ? json.treeToValue(tree, BolMessages.ActivationResponse.class)
                    : json.treeToValue(tree, BolMessages.OrderResponse.class);
        } catch (RuntimeException e) {
            return new ReplyOutcome(Reply.REFUSED, "the body is not a BOL OrderResponse or ActivationResponse (JSON with clientId, serviceProviderId, "
                    + "clientOrderNumber and orderLines, or clientActivationId and activationLines)");
        }
        if (answer == null || answer.number() == null
                || answer instanceof BolMessages.OrderResponse o && o.orderLines() == null
                || answer instanceof BolMessages.ActivationResponse a && a.activationLines() == null) {
            return new ReplyOutcome(Reply.REFUSED, "clientOrderNumber and orderLines (or clientActivationId and activationLines) are required");
        }
        // every line names its order line and says how it stands (a null line, or one without either, was a server error)
        if (answer instanceof BolMessages.OrderResponse o && o.orderLines().stream().anyMatch(l -> l == null || l.clientOrderLineId() == null || l.status() == null)
                || answer instanceof BolMessages.ActivationResponse a
                   && a.activationLines().stream().anyMatch(l -> l == null || l.clientOrderLineId() == null || l.status() == null)) {
            return new ReplyOutcome(Reply.REFUSED, "every line needs its clientOrderLineId and status");
        }
        String refused = answered(queued, answer, answer instanceof BolMessages.ActivationResponse ? "ACTIVATION_REPLY" : "ORDER_REPLY");
        return refused == null ? new ReplyOutcome(Reply.TAKEN, null) : new ReplyOutcome(Reply.REFUSED, refused);
    }

    /**
     * A dead order (refused, or out of attempts) is queued again by an administrator; audited. False when it is not dead.
     * Under the order's lock (as a buyer's cancellation takes it, which a line not sent allows): a line cancelled first
     * stays cancelled and is not sent; one queued first can no longer be cancelled.
     */
    boolean sendAgain(UUID connector, UUID order, String actor) {
        List<Long> queued = transaction.execute(s -> {
            java.util.Set<UUID> cancelled = purchaseOrders.lockCancelledLines(order);
            List<Long> ids = jdbc.sql("""
                            update bol_order set state = 'QUEUED', attempts = 0, not_before = now(), last_error = null
                            where connector_id = :c and order_id = :o and state = 'DEAD' returning id
                            """).param("c", connector).param("o", order).query(Long.class).list();
            ids.forEach(q -> linesOf(q).stream().filter(line -> !cancelled.contains(line)).forEach(line -> deliveries.record(line,
                    new LineDelivery(LineDelivery.Status.QUEUED, null, null, null, 0, null, null))));
            if (!ids.isEmpty()) {
                audit.record(actor, "BOL_ORDER_SENT_AGAIN", "purchase_order", order.toString(), Map.of("connector", connector.toString()));
            }
            return ids;
        });
        return !queued.isEmpty();
    }

    /** This installation's BOL identity towards publishers ({@code tilldela.provisioning.bol.client-id}; default: the host of tilldela.base-url). */
    String clientId() {
        String configured = environment.getProperty("tilldela.provisioning.bol.client-id", "");
        if (!configured.isBlank()) {
            return configured.strip();
        }
        String base = environment.getProperty("tilldela.base-url", "");
        return base.isBlank() ? "tilldela" : java.net.URI.create(base).getHost();
    }

    /** The responseUrl of a queued order: on tilldela.base-url, or this node's own address when none is set (a local installation). */
    String responseUrl(long queued) {
        String base = environment.getProperty("tilldela.base-url", "");
        if (base.isBlank()) {
            String port = environment.getProperty("local.server.port");
            if (port == null) {
                return null; // no web server (a command): the publisher answers synchronously
            }
            base = "http://localhost:" + port;
        }
        return base.replaceAll("/+$", "") + RESPONSE_PATH + queued + "/" + secret(queued);
    }

    private String secret(long queued) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(instanceSecrets.secret("bol-response-url"), "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(("bol-order:" + queued).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
