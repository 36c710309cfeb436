package org.tilldela.purchase;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.CallerScope;
import org.tilldela.ledger.LedgerReports;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.NewPool;
import org.tilldela.licensing.Selector;

/**
 * Orders: quoting (recipients resolved inside the buyer's scope, privacy preview, compliance gate),
 * placing, holding for the data protection officer and their decision, and fulfilment — one licence pool
 * per line of a licensed (digital) product, its recipients given as rules and direct assignments so that
 * later imports move the licences by themselves. Every order, refusal and decision is audited.
 */
@Service
@Transactional
public class Orders {

    /**
     * What placing gave: the order (null when the gate blocked it: nothing was stored) and the quote it was placed on;
     * or, {@code replayed}, the order placed before under the same idempotency key (nothing placed now, no quote: what
     * the gate would say today is not what the order was placed on).
     */
    public record Placement(Order order, Quote quote, boolean replayed) {
        public Placement(Order order, Quote quote) {
            this(order, quote, false);
        }

        public boolean blocked() {
            return order == null;
        }
    }

    /** The idempotency key was used before by this buyer for an order of other lines. */
    public static class KeyReused extends RuntimeException {
        public KeyReused() {
            super("This Idempotency-Key was used for an order of other lines; use a new key for a new order.");
        }
    }

    /** A fulfilled line: its pool, and who its recipients include that got no seat (the seats ran out). */
    public record Fulfilment(Order.Line line, LicencePools.Pool pool, List<UUID> withoutSeat) {
    }

    private final JdbcClient jdbc;
    private final BuyerScopes scopes;
    private final Recipients recipients;
    private final ComplianceGate gate;
    private final Catalog catalog;
    private final ReleasePolicy releasePolicy;
    private final LicencePools pools;
    private final AuditTrail audit;
    private final Clock clock;
    private final LedgerReports ledger;
    private final org.springframework.context.ApplicationEventPublisher events;
    private final Deliveries deliveries;

    Orders(JdbcClient jdbc, BuyerScopes scopes, Recipients recipients, ComplianceGate gate, Catalog catalog, ReleasePolicy releasePolicy,
           LicencePools pools, AuditTrail audit, Optional<Clock> clock, LedgerReports ledger, org.springframework.context.ApplicationEventPublisher events,
           Deliveries deliveries) {
        this.deliveries = deliveries;
        this.ledger = ledger;
        this.events = events;
        this.jdbc = jdbc;
        this.scopes = scopes;
        this.recipients = recipients;
        this.gate = gate;
        this.catalog = catalog;
        this.releasePolicy = releasePolicy;
        this.pools = pools;
        this.audit = audit;
        this.clock = clock.orElse(Clock.systemDefaultZone());
    }

    LocalDate today() {
        return LocalDate.now(clock);
    }

    /** The order as it would be placed now by this buyer; refuses recipients outside the buyer's scope. */
    public Quote quote(String buyer, List<OrderLineRequest> lines) {
        return quote(scopes.require(buyer), lines);
    }

    // not read-only: resolving recipients works in temporary tables
    public Quote quote(BuyerScope scope, List<OrderLineRequest> lines) {
        LocalDate today = today();
        List<Quote.Line> out = new ArrayList<>();
        int position = 1;
        for (OrderLineRequest request : lines) {
            Product product = catalog.product(request.productId())
                    .orElseThrow(() -> new IllegalArgumentException("There is no product " + request.productId() + " in the catalogue."));
            Supplier supplier = catalog.supplier(product.supplierId()).orElseThrow();
            if (request.trial() && !product.hasTrial()) {
                throw new IllegalArgumentException(product.title() + " has no trial.");
            }
            List<UUID> persons = recipients.resolve(scope, request.recipients()).persons();
            Integer seats = request.seats();
            if (seats == null && !product.isDigital()) {
                seats = 1;
            } else if (seats == null && product.licenceModel() == Product.LicenceModel.PER_USER && !persons.isEmpty()) {
                seats = persons.size();
            }
            // else: a licensed line nobody is picked for yet has no seats yet; it asks for recipients (Line.needsRecipients)
            Verdict verdict = gate.check(product, supplier, scope.organiserId(), today);
            PrivacyPreview preview = product.dataNeeds().isEmpty() ? null : preview(product, supplier, persons);
            out.add(new Quote.Line(position++, request, product, supplier, persons, seats, verdict, preview));
        }
        return new Quote(scope, out);
    }

    /** The privacy preview: the release policy's own numbers, with the declaration's purposes, retention and countries. */
    private PrivacyPreview preview(Product product, Supplier supplier, List<UUID> persons) {
        ReleasePolicy.Preview p = releasePolicy.preview(product.id(), persons);
        List<PrivacyPreview.AttributeReach> attributes = product.dataNeeds().stream().map(n -> {
            ReleasePolicy.Terms agreed = p.agreed().get(n.attribute());
            boolean declared = p.declaredOnly().contains(n.attribute());
            if (agreed != null) {
                // the agreement decides how long it is kept; where others get it by the declaration alone, the longer of the two
                int days = declared ? Math.max(agreed.retentionDays(), n.retentionDays()) : agreed.retentionDays();
                return new PrivacyPreview.AttributeReach(n.attribute(), p.reach().getOrDefault(n.attribute(), 0),
                        agreed.purpose() != null ? agreed.purpose() : n.purpose(), days, n.processingCountries(),
                        declared ? PrivacyPreview.Basis.DECLARATION : PrivacyPreview.Basis.AGREEMENT);
            }
            return new PrivacyPreview.AttributeReach(n.attribute(), p.reach().getOrDefault(n.attribute(), 0), n.purpose(), n.retentionDays(),
                    n.processingCountries(), declared ? PrivacyPreview.Basis.DECLARATION : PrivacyPreview.Basis.NOT_RELEASED);
        }).toList();
        Set<String> countries = new java.util.TreeSet<>(ComplianceGate.processingCountries(product, supplier).keySet());
        countries.addAll(p.processingCountries());
        return new PrivacyPreview(product.id(), supplier.id(), supplier.name(), p.persons(), p.protectedPersons(), p.nothingReleased(), attributes,
                countries, p.byDeclaration());
    }

    /**
     * Places an order: blocked by the gate, nothing is stored (the attempt is audited); beyond the
     * organiser's data policy, it is stored and held for the data protection officer; otherwise its licence
     * pools are created at once.
     */
    public Placement place(String buyer, List<OrderLineRequest> lines) {
        return place(buyer, lines, null);
    }

    /**
     * As {@link #place(String, List)}, once per {@code idempotencyKey} (an API client's, at most 255 characters; null:
     * none): the same key from the same buyer again answers the order placed then, with nothing placed now — also when
     * the two arrive at once (the second waits for the first) — and a key used again for other lines is refused
     * ({@link KeyReused}). An order the gate blocked stored nothing, so its key is free for the next try.
     */
    public Placement place(String buyer, List<OrderLineRequest> lines, String idempotencyKey) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("An order needs at least one line.");
        }
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
            throw new IllegalArgumentException("An Idempotency-Key is 1 to 255 characters.");
        }
        BuyerScope scope = scopes.require(buyer);
        String digest = idempotencyKey == null ? null : HexFormat.of().formatHex(sha256(lines.toString()));
        Optional<Placement> earlier = placedBefore(buyer, idempotencyKey, digest);
        if (earlier.isPresent()) {
            return earlier.get();
        }
        Quote quote = quote(scope, lines);
        for (Quote.Line l : quote.lines()) {
            if (l.needsRecipients()) {
                throw new RecipientsMissing(l.product().title());
            }
        }
        if (quote.blocked()) {
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("products", quote.lines().stream().map(l -> l.product().id().toString()).toList());
            detail.put("reasons", quote.lines().stream().flatMap(l -> l.verdict().reasons().stream())
                    .filter(r -> r.outcome() == Verdict.Outcome.BLOCKED).map(Verdict.Reason::code).distinct().toList());
            audit.record(buyer, "ORDER_BLOCKED", "purchase_order", null, detail);
            return new Placement(null, quote);
        }
        boolean held = quote.outcome() == Verdict.Outcome.NEEDS_DPO_APPROVAL;
        UUID orderId = UUID.randomUUID();
        int inserted = jdbc.sql("""
                        insert into purchase_order (id, buyer, organiser_id, scope_id, status, idempotency_key, request_digest)
                        values (:id, :b, :org, :scope, :status, :key, :digest)
                        on conflict (buyer, idempotency_key) where idempotency_key is not null do nothing""")
                .param("id", orderId).param("b", buyer).param("org", scope.organiserId()).param("scope", scope.organisationId())
                .param("status", held ? "AWAITING_APPROVAL" : "PLACED").param("key", idempotencyKey).param("digest", digest).update();
        if (inserted == 0) {
            // the same key's twin committed while this one was quoting: its order is the answer
            return placedBefore(buyer, idempotencyKey, digest).orElseThrow();
        }
        LocalDate today = today();
        for (Quote.Line l : quote.lines()) {
            UUID lineId = UUID.randomUUID();
            Product p = l.product();
            LocalDate ends = l.request().trial() ? today.plusDays(p.trialDays() - 1L)
                    : today.plusMonths(p.licencePeriodMonths() > 0 ? p.licencePeriodMonths() : 12).minusDays(1);
            jdbc.sql("""
                            insert into order_line (id, order_id, position, product_id, article_number, title, unit_price, currency, seats, trial,
                                                    starts_on, ends_on, verdict, reasons)
                            values (:id, :order, :pos, :product, :article, :title, :price, :currency, :seats, :trial, :starts, :ends, :verdict, :reasons)
                            """)
                    .param("id", lineId).param("order", orderId).param("pos", l.position()).param("product", p.id())
                    .param("article", p.articleNumber()).param("title", p.title()).param("price", l.unitPrice()).param("currency", p.currency())
                    .param("seats", l.seats()).param("trial", l.request().trial()).param("starts", today).param("ends", ends)
                    .param("verdict", l.verdict().outcome().name())
                    .param("reasons", l.verdict().reasons().stream().map(Verdict.Reason::code).toArray(String[]::new)).update();
            int pos = 1;
            for (Recipient r : l.request().recipients()) {
                jdbc.sql("""
                                insert into order_recipient (line_id, position, kind, organisation_id, group_id, person_id, grade, role)
                                values (:line, :pos, :kind, :org, :group, :person, :grade, :role)
                                """)
                        .param("line", lineId).param("pos", pos++).param("kind", r.kind().name()).param("org", r.organisationId())
                        .param("group", r.groupId()).param("person", r.personId()).param("grade", r.grade()).param("role", r.role()).update();
            }
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("lines", quote.lines().size());
        detail.put("products", quote.lines().stream().map(l -> l.product().id().toString()).toList());
        detail.put("recipients", quote.lines().stream().mapToInt(l -> l.persons().size()).sum());
        detail.put("scope", scope.organisationId().toString());
        if (held) {
            Set<Attribute> beyond = EnumSet.noneOf(Attribute.class);
            quote.lines().forEach(l -> l.verdict().reasons().forEach(r -> beyond.addAll(r.attributes())));
            jdbc.sql("insert into dpo_approval (order_id, organiser_id, attributes, state) values (:o, :org, :a, 'PENDING')")
                    .param("o", orderId).param("org", scope.organiserId()).param("a", beyond.stream().map(Enum::name).toArray(String[]::new)).update();
            detail.put("beyondPolicy", beyond.stream().map(Enum::name).toList());
            audit.record(buyer, "ORDER_HELD_FOR_APPROVAL", "purchase_order", orderId.toString(), detail);
        } else {
            audit.record(buyer, "ORDER_PLACED", "purchase_order", orderId.toString(), detail);
            fulfil(orderId);
        }
        return new Placement(order(orderId).orElseThrow(), quote);
    }

    private Optional<Placement> placedBefore(String buyer, String idempotencyKey, String digest) {
        if (idempotencyKey == null) {
            return Optional.empty();
        }
        record Earlier(UUID id, String digest) {
        }
        Optional<Earlier> earlier = jdbc.sql("select id, request_digest digest from purchase_order where buyer = :b and idempotency_key = :k")
                .param("b", buyer).param("k", idempotencyKey).query(Earlier.class).optional();
        if (earlier.isEmpty()) {
            return Optional.empty();
        }
        if (!earlier.get().digest().equals(digest)) {
            throw new KeyReused();
        }
        return Optional.of(new Placement(order(earlier.get().id()).orElseThrow(), null, true));
    }

    private static byte[] sha256(String text) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Creates the licence pools of an order's lines (each line once: a pool already created is kept). */
    private void fulfil(UUID orderId) {
        Order order = order(orderId).orElseThrow();
        for (Order.Line line : order.lines()) {
            if (line.poolId() != null) {
                continue;
            }
            Product product = catalog.product(line.productId()).orElseThrow();
            if (!product.isDigital()) {
                continue; // a printed book is delivered, not licensed
            }
            List<Selector> rules = line.recipients().stream()
                    .filter(r -> r.kind() != Recipient.Kind.GROUP && r.kind() != Recipient.Kind.PERSON).map(Recipient::toRule).toList();
            UUID pool;
            if (line.trial()) {
                pool = pools.createTrial(line.productId(), order.organiserId(), order.scopeId(), line.seats(), line.startsOn(), line.id(), order.buyer());
                for (Selector rule : rules) {
                    pools.addRule(pool, rule, order.buyer());
                }
            } else {
                pool = pools.create(new NewPool(line.productId(), order.organiserId(), order.scopeId(), line.seats(), line.startsOn(), line.endsOn(),
                        false, line.id(), order.buyer()), rules, true);
            }
            // picked while browsing: the groups follow their members, the persons are theirs by hand
            for (Recipient r : line.recipients()) {
                if (r.kind() == Recipient.Kind.GROUP) {
                    pools.assignGroup(pool, r.groupId(), r.role(), order.buyer());
                }
            }
            List<UUID> persons = line.recipients().stream().filter(r -> r.kind() == Recipient.Kind.PERSON).map(Recipient::personId).toList();
            if (!persons.isEmpty()) {
                pools.assignDirect(pool, persons, order.buyer());
            }
            jdbc.sql("update order_line set pool_id = :p where id = :id").param("p", pool).param("id", line.id()).update();
        }
        jdbc.sql("update purchase_order set status = 'PLACED', fulfilled_at = now() where id = :id").param("id", orderId).update();
        // in this transaction: a connector passing the order on to its publisher queues it with the order, or neither happens
        Order placed = order(orderId).orElseThrow();
        events.publishEvent(new OrderPlaced(placed.id(), placed.number(), placed.organiserId(), placed.scopeId(), placed.lines().stream()
                .filter(l -> !l.cancelled())
                .map(l -> new OrderPlaced.Line(l.id(), l.productId(), l.articleNumber(), l.seats(),
                        l.poolId() == null ? 0 : pools.pool(l.poolId()).map(p -> (int) p.seatsUsed()).orElse(0),
                        l.unitPrice(), l.currency(), l.startsOn(), l.endsOn(), l.trial()))
                .toList()));
    }

    /** The data protection officer lets a held order through; its pools are created now. */
    public Order approve(UUID orderId, String officer) {
        return approve(CallerScope.wholeInstallation(), orderId, officer);
    }

    /** {@link #approve(UUID, String)} by an officer exercising {@code caller}: see {@link #lockPending(CallerScope, UUID)}. */
    public Order approve(CallerScope caller, UUID orderId, String officer) {
        Order order = lockPending(caller, orderId);
        // what was true when the order was held may not be now: an agreement can have lapsed meanwhile
        for (Order.Line line : order.lines()) {
            Product product = catalog.product(line.productId()).orElseThrow();
            Supplier supplier = catalog.supplier(product.supplierId()).orElseThrow();
            if (gate.check(product, supplier, order.organiserId(), today()).blocked()) {
                throw new IllegalStateException("The order cannot be approved: " + product.title()
                        + " is now blocked (no valid processing agreement, or processing outside the EU/EEA without an adequacy decision).");
            }
        }
        jdbc.sql("update dpo_approval set state = 'APPROVED', decided_by = :by, decided_at = now() where order_id = :id")
                .param("by", officer).param("id", orderId).update();
        audit.record(officer, "ORDER_APPROVED", "purchase_order", orderId.toString(), Map.of("buyer", order.buyer()));
        fulfil(orderId);
        return order(orderId).orElseThrow();
    }

    /** The data protection officer refuses a held order, saying why; nothing is created. */
    public Order decline(UUID orderId, String officer, String reason) {
        return decline(CallerScope.wholeInstallation(), orderId, officer, reason);
    }

    /** {@link #decline(UUID, String, String)} by an officer exercising {@code caller}: see {@link #lockPending(CallerScope, UUID)}. */
    public Order decline(CallerScope caller, UUID orderId, String officer, String reason) {
        // the scope first: whether a refusal comes, and which, must not tell a scoped officer that an order outside exists
        Order order = lockPending(caller, orderId);
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("Say why the order is declined: the buyer reads it.");
        }
        jdbc.sql("update dpo_approval set state = 'DECLINED', decided_by = :by, decided_at = now(), reason = :r where order_id = :id")
                .param("by", officer).param("r", reason.strip()).param("id", orderId).update();
        jdbc.sql("update purchase_order set status = 'DECLINED' where id = :id").param("id", orderId).update();
        audit.record(officer, "ORDER_DECLINED", "purchase_order", orderId.toString(), Map.of("buyer", order.buyer()));
        return order(orderId).orElseThrow();
    }

    /**
     * Locks a held order the officer is to decide on. Unknown, and outside what the caller sees ({@link #SEEN}), alike: a
     * scoped officer gets {@link NotInScope} (the pages answer 404, so nobody learns it exists). Seen but not the caller's to
     * decide ({@link #DECIDED}: an organiser-wide order seen by a grant narrowed to school forms): refused, nothing changes.
     */
    private Order lockPending(CallerScope caller, UUID orderId) {
        Map<String, Object> params = new HashMap<>(caller.params());
        params.put("id", orderId);
        record Held(String state, boolean decidable) {
        }
        Held held = jdbc.sql("select a.state, " + DECIDED.apply(caller) + " from dpo_approval a join purchase_order o on o.id = a.order_id"
                        + " where a.order_id = :id and " + SEEN.apply(caller) + " for update of a")
                .params(params).query((rs, n) -> new Held(rs.getString(1), rs.getBoolean(2))).optional()
                .orElseThrow(() -> caller.isWholeInstallation() ? new IllegalArgumentException("No order " + orderId + " is waiting for approval.")
                        : new NotInScope("No order " + orderId + " is waiting for approval."));
        if (!held.decidable()) {
            throw new NotYoursToDecide();
        }
        if (!"PENDING".equals(held.state())) {
            throw new IllegalStateException("The order has already been decided (" + held.state().toLowerCase() + ").");
        }
        return order(orderId).orElseThrow();
    }

    /** The order covers more than the officer's grant (see {@link #DECIDED}); nothing changed. */
    public static class NotYoursToDecide extends RuntimeException {
        NotYoursToDecide() {
            super("This order covers more than your grant: an officer whose grant covers all of it decides.");
        }
    }

    /**
     * Which held or decided orders a data protection officer sees (alias {@code o} of {@code purchase_order}): those placed
     * for a unit within the grant, the order's scope unit being where its buyer buys for. A grant over an organiser sees the
     * orders for it and for each school unit below it; over one school unit, that school's orders only, never the organiser's.
     * With a grant narrowed to school forms that includes the organiser above the schools it covers: seen, read-only.
     */
    static final java.util.function.Function<CallerScope, String> SEEN = scope -> scope.unit("o.scope_id");

    /**
     * Which of them the officer may decide on: an order's data go to whoever it names at its unit whatever their school form,
     * so like a placement without a school form it lies within a grant only where that grant is not narrowed to school forms.
     */
    static final java.util.function.Function<CallerScope, String> DECIDED = scope -> scope.wholeUnit("o.scope_id");

    /**
     * Why an order or a line cannot be cancelled, as a code the page words in the user's language
     * ({@code purchase.cancel.refused.<code>}): notPlaced, cancelled, noLicence, atPublisher, ended, used.
     */
    public static class NotCancellable extends RuntimeException {
        private final String code;

        NotCancellable(String code) {
            super("not cancellable: " + code);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    /**
     * Why this line cannot be cancelled now, if it cannot. A line can be cancelled while its licences are unused: the order
     * was placed (not held or declined), the line carries a licence pool that has not ended, and nothing about anyone who
     * held one of its seats has reached the supplier for the product since the pool was made (the disclosure ledger
     * says) — a seat given but not yet used for a sign-in, a push or a roster is given back without anything having left.
     */
    @Transactional(readOnly = true)
    public Optional<String> whyNotCancellable(Order order, Order.Line line) {
        return whyNotCancellable(order, line, false);
    }

    /**
     * As {@link #whyNotCancellable(Order, Order.Line)}, knowing whether the whole order is being cancelled: an order held for
     * the data protection officer has given nothing yet and can be withdrawn, but only whole (its approval is of the
     * order as one) — one line of several is refused as heldWhole.
     */
    @Transactional(readOnly = true)
    public Optional<String> whyNotCancellable(Order order, Order.Line line, boolean wholeOrder) {
        if (line.cancelled()) {
            return Optional.of("cancelled");
        }
        if (order.status() == Order.Status.AWAITING_APPROVAL) {
            return wholeOrder || order.lines().size() == 1 ? Optional.empty() : Optional.of("heldWhole");
        }
        if (order.status() != Order.Status.PLACED) {
            return Optional.of("notPlaced");
        }
        if (line.poolId() == null) {
            return Optional.of("noLicence");
        }
        LineDelivery delivery = deliveries.ofLine(line.id());
        if (delivery != null && delivery.status() != LineDelivery.Status.NOT_SENT && delivery.status() != LineDelivery.Status.FAILED) {
            // sent, or about to be, to the publisher through BOL, which has no cancellation: the publisher bills it
            return Optional.of("atPublisher");
        }
        LicencePools.Pool pool = pools.pool(line.poolId()).orElseThrow();
        if (pool.endsOn().isBefore(today())) {
            return Optional.of("ended");
        }
        if (ledger.releasedSince(line.productId(), pools.holdersEver(pool.id()), pool.createdAt())) {
            return Optional.of("used");
        }
        return Optional.empty();
    }

    /**
     * Cancels one line of the order ({@code lineId}), or every line not yet cancelled (null), if each can be cancelled
     * ({@link #whyNotCancellable}); otherwise nothing changes and {@link NotCancellable} says why. Each line's pool is
     * ended today (its seats given back, holders losing the licence as when any pool ends: the licensing module audits
     * it and tells provisioning and the ledger); the line is kept, marked cancelled; when no line is left the order is
     * CANCELLED. Audited per line. The order's row is locked first, so two cancellations of one order take turns.
     */
    public Order cancel(UUID orderId, UUID lineId, String buyer) {
        jdbc.sql("select id from purchase_order where id = :id for update").param("id", orderId).query(UUID.class).optional();
        Order order = order(orderId).filter(o -> o.buyer().equals(buyer)).orElseThrow();
        List<Order.Line> lines = order.lines().stream().filter(l -> lineId == null ? !l.cancelled() : l.id().equals(lineId)).toList();
        if (lines.isEmpty()) {
            throw lineId == null ? new NotCancellable("cancelled") : new java.util.NoSuchElementException("no such line");
        }
        for (Order.Line line : lines) {
            whyNotCancellable(order, line, lineId == null).ifPresent(code -> {
                throw new NotCancellable(code);
            });
        }
        if (order.status() == Order.Status.AWAITING_APPROVAL) {
            return withdraw(order, buyer);
        }
        for (Order.Line line : lines) {
            pools.endEarly(line.poolId(), buyer);
            jdbc.sql("update order_line set cancelled_at = now(), cancelled_by = :by where id = :id and cancelled_at is null")
                    .param("by", buyer).param("id", line.id()).update();
            audit.record(buyer, "ORDER_LINE_CANCELLED", "purchase_order", orderId.toString(),
                    Map.of("number", order.number(), "line", line.position(), "pool", line.poolId().toString()));
        }
        jdbc.sql("""
                        update purchase_order set status = 'CANCELLED'
                        where id = :id and not exists (select 1 from order_line l where l.order_id = :id and l.cancelled_at is null)
                        """).param("id", orderId).update();
        return order(orderId).orElseThrow();
    }

    /**
     * Takes the order's row lock, as {@link #cancel} does, for the rest of the caller's transaction, and answers the ids of
     * its cancelled lines. For whoever sends lines to a publisher again: a line is then either cancelled first (and not
     * sent) or sent first (and then no longer cancellable), never both.
     */
    @Transactional(propagation = org.springframework.transaction.annotation.Propagation.MANDATORY)
    public java.util.Set<UUID> lockCancelledLines(UUID orderId) {
        jdbc.sql("select id from purchase_order where id = :id for update").param("id", orderId).query(UUID.class).optional();
        return new java.util.HashSet<>(jdbc.sql("select id from order_line where order_id = :id and cancelled_at is not null")
                .param("id", orderId).query(UUID.class).list());
    }

    /**
     * Withdraws an order held for the data protection officer: no pool was made, so every line is only marked cancelled,
     * the order CANCELLED and its approval closed as WITHDRAWN (it cannot be approved after). Audited.
     */
    private Order withdraw(Order order, String buyer) {
        int closed = jdbc.sql("""
                        update dpo_approval set state = 'WITHDRAWN', decided_by = :by, decided_at = now()
                        where order_id = :id and state = 'PENDING'
                        """).param("by", buyer).param("id", order.id()).update();
        if (closed == 0) {
            throw new NotCancellable("notPlaced"); // decided meanwhile: the order is what the officer made of it
        }
        jdbc.sql("update order_line set cancelled_at = now(), cancelled_by = :by where order_id = :id and cancelled_at is null")
                .param("by", buyer).param("id", order.id()).update();
        jdbc.sql("update purchase_order set status = 'CANCELLED' where id = :id").param("id", order.id()).update();
        audit.record(buyer, "ORDER_WITHDRAWN", "purchase_order", order.id().toString(), Map.of("number", order.number()));
        return order(order.id()).orElseThrow();
    }

    @Transactional(readOnly = true)
    public Optional<Order> order(UUID id) {
        return orders("o.id = :id", Map.of("id", id), 1).stream().findFirst();
    }

    /** The buyer's orders, newest first. */
    @Transactional(readOnly = true)
    public List<Order> ofBuyer(String buyer, int limit) {
        return orders("o.buyer = :b", Map.of("b", buyer), limit);
    }

    /** Orders held for the data protection officer, oldest first. */
    @Transactional(readOnly = true)
    public List<Order> awaitingApproval() {
        return awaitingApproval(CallerScope.wholeInstallation());
    }

    /** Orders held for the data protection officer that the caller sees ({@link #SEEN}), oldest first. */
    @Transactional(readOnly = true)
    public List<Order> awaitingApproval(CallerScope caller) {
        return orders("o.status = 'AWAITING_APPROVAL' and " + SEEN.apply(caller), caller.params(), 500).reversed();
    }

    /** How many held orders the caller sees: counted in the query, so the count is the scope's and not cut at a list's limit. */
    @Transactional(readOnly = true)
    public long countAwaitingApproval(CallerScope caller) {
        return jdbc.sql("select count(*) from purchase_order o where o.status = 'AWAITING_APPROVAL' and " + SEEN.apply(caller))
                .params(caller.params()).query(Long.class).single();
    }

    /** Orders the data protection officer decided, newest first. */
    @Transactional(readOnly = true)
    public List<Order> decided(int limit) {
        return decided(CallerScope.wholeInstallation(), limit);
    }

    /** Decided orders the caller sees ({@link #SEEN}), newest first. */
    @Transactional(readOnly = true)
    public List<Order> decided(CallerScope caller, int limit) {
        return orders("exists (select 1 from dpo_approval a where a.order_id = o.id and a.state <> 'PENDING') and " + SEEN.apply(caller),
                caller.params(), limit);
    }

    /** An order that was held for the officer (pending or decided), if the caller sees it; empty otherwise, whether or not it exists (404). */
    @Transactional(readOnly = true)
    public Optional<Order> held(CallerScope caller, UUID id) {
        Map<String, Object> params = new HashMap<>(caller.params());
        params.put("id", id);
        return orders("o.id = :id and exists (select 1 from dpo_approval a where a.order_id = o.id) and " + SEEN.apply(caller), params, 1)
                .stream().findFirst();
    }

    /** Whether the caller may decide on the held order (the forms to decide show only then); false when it does not see it. */
    @Transactional(readOnly = true)
    public boolean mayDecide(CallerScope caller, UUID id) {
        return jdbc.sql("select exists (select 1 from purchase_order o where o.id = :id and " + SEEN.apply(caller) + " and " + DECIDED.apply(caller) + ")")
                .params(caller.params()).param("id", id).query(Boolean.class).single();
    }

    /** Each licensed line's pool as it stands, and who its recipients include that has no seat. */
    @Transactional(readOnly = true)
    public List<Fulfilment> fulfilment(Order order) {
        List<Fulfilment> out = new ArrayList<>();
        for (Order.Line line : order.lines()) {
            if (line.poolId() == null) {
                continue;
            }
            LicencePools.Pool pool = pools.pool(line.poolId()).orElseThrow();
            out.add(new Fulfilment(line, pool, pools.shortfall(line.poolId()).stream().map(LicencePools.Shortfall::personId).toList()));
        }
        return out;
    }

    private List<Order> orders(String where, Map<String, Object> params, int limit) {
        record Head(UUID id, long number, String buyer, UUID organiser, UUID scope, String status, java.time.Instant placed, java.time.Instant fulfilled) {
        }
        List<Head> heads = jdbc.sql("select o.id, o.number, o.buyer, o.organiser_id, o.scope_id, o.status, o.placed_at, o.fulfilled_at from purchase_order o where "
                        + where + " order by o.placed_at desc, o.number desc limit :limit")
                .params(params).param("limit", limit)
                .query((rs, n) -> new Head(rs.getObject(1, UUID.class), rs.getLong(2), rs.getString(3), rs.getObject(4, UUID.class),
                        rs.getObject(5, UUID.class), rs.getString(6), rs.getTimestamp(7).toInstant(),
                        rs.getTimestamp(8) == null ? null : rs.getTimestamp(8).toInstant())).list();
        if (heads.isEmpty()) {
            return List.of();
        }
        UUID[] ids = heads.stream().map(Head::id).toArray(UUID[]::new);
        Map<UUID, List<Recipient>> recipientsByLine = new HashMap<>();
        jdbc.sql("""
                        select r.line_id, r.kind, r.organisation_id, r.group_id, r.person_id, r.grade, r.role from order_recipient r
                        join order_line l on l.id = r.line_id where l.order_id = any(:ids) order by r.line_id, r.position
                        """).param("ids", ids)
                .query(rs -> {
                    recipientsByLine.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>()).add(recipient(rs));
                });
        Map<UUID, List<Order.Line>> linesByOrder = new HashMap<>();
        jdbc.sql("""
                        select id, order_id, position, product_id, article_number, title, unit_price, currency, seats, trial, starts_on, ends_on,
                               verdict, reasons, pool_id, cancelled_at from order_line where order_id = any(:ids) order by order_id, position
                        """).param("ids", ids)
                .query(rs -> {
                    UUID lineId = rs.getObject("id", UUID.class);
                    Integer s = rs.getObject("seats", Integer.class);
                    linesByOrder.computeIfAbsent(rs.getObject("order_id", UUID.class), k -> new ArrayList<>()).add(new Order.Line(lineId,
                            rs.getInt("position"), rs.getObject("product_id", UUID.class), rs.getString("article_number"), rs.getString("title"),
                            rs.getBigDecimal("unit_price"), rs.getString("currency"), s, rs.getBoolean("trial"),
                            rs.getObject("starts_on", LocalDate.class), rs.getObject("ends_on", LocalDate.class),
                            Verdict.Outcome.valueOf(rs.getString("verdict")), Arrays.asList((String[]) rs.getArray("reasons").getArray()),
                            rs.getObject("pool_id", UUID.class), recipientsByLine.getOrDefault(lineId, List.of()),
                            rs.getTimestamp("cancelled_at") == null ? null : rs.getTimestamp("cancelled_at").toInstant()));
                });
        Map<UUID, Order.Approval> approvals = new HashMap<>();
        jdbc.sql("select order_id, organiser_id, attributes, state, requested_at, decided_by, decided_at, reason from dpo_approval where order_id = any(:ids)")
                .param("ids", ids).query(rs -> {
                    Set<Attribute> attributes = EnumSet.noneOf(Attribute.class);
                    Arrays.stream((String[]) rs.getArray(3).getArray()).forEach(a -> attributes.add(Attribute.valueOf(a)));
                    approvals.put(rs.getObject(1, UUID.class), new Order.Approval(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), attributes,
                            rs.getString(4), rs.getTimestamp(5).toInstant(), rs.getString(6),
                            rs.getTimestamp(7) == null ? null : rs.getTimestamp(7).toInstant(), rs.getString(8)));
                });
        return heads.stream().map(h -> new Order(h.id(), h.number(), h.buyer(), h.organiser(), h.scope(), Order.Status.valueOf(h.status()), h.placed(),
                h.fulfilled(), linesByOrder.getOrDefault(h.id(), List.of()), approvals.get(h.id()))).toList();
    }

    static Recipient recipient(ResultSet rs) throws SQLException {
        return new Recipient(Recipient.Kind.valueOf(rs.getString("kind")), rs.getObject("organisation_id", UUID.class),
                rs.getObject("group_id", UUID.class), rs.getObject("person_id", UUID.class), rs.getString("grade"), rs.getString("role"));
    }
}
