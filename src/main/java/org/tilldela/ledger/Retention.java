package org.tilldela.ledger;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.governance.CallerScope;

/**
 * Retention of what recipients hold: when a relation ends (a licence ended, the person left) each
 * affected holding gets its deadline, ended-on plus the retention days of its latest release. When
 * the deadline has passed, a deletion request is due; it reaches the recipient over SCIM (provisioning
 * sends it and reports the answer here) or through the supplier's API door (the supplier fetches its list
 * and confirms there), and each request keeps its receipt: sent when and how, the supplier's answers,
 * confirmed when.
 */
@Service
@Transactional
public class Retention {

    private final JdbcClient jdbc;

    Retention(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The relation between the person and these products' recipients ended that day (all products when
     * {@code productId} is null). An earlier end stays; confirmed deletions are left alone. Returns the
     * holdings affected.
     */
    public int relationEnded(UUID personId, UUID productId, LocalDate endedOn) {
        return relationsEnded(List.of(personId), productId, endedOn);
    }

    /** {@link #relationEnded} for many persons at once (a leavers' import). */
    public int relationsEnded(Collection<UUID> personIds, UUID productId, LocalDate endedOn) {
        if (personIds.isEmpty()) {
            return 0;
        }
        // rows locked in key order first, as appenders lock them, so the two never wait on each other in a circle
        return jdbc.sql("""
                        with locked as (
                            select person_id, supplier_id, product_id from holding
                            where person_id = any(:persons) and (cast(:product as uuid) is null or product_id = :product)
                              and deletion_state is distinct from 'CONFIRMED'
                            order by person_id, supplier_id, product_id for update
                        )
                        update holding h set ended_on = least(h.ended_on, cast(:ended as date)),
                                             retain_until = least(h.ended_on, cast(:ended as date)) + h.retention_days
                        from locked l
                        where h.person_id = l.person_id and h.supplier_id = l.supplier_id and h.product_id = l.product_id
                        """)
                .param("ended", endedOn).param("persons", personIds.toArray(UUID[]::new)).param("product", productId).update();
    }

    /**
     * A holding of {@code h} (an alias with its dot, or "") overdue on {@code :today}: its retention has run out and its
     * deletion is not confirmed. Word for word the predicate of the index holding_retention, so that every such read is
     * served by it — a condition PostgreSQL cannot prove from this one (say "deletion_state is null" alone) scans every
     * holding ever kept.
     */
    private static String overdueOn(String h) {
        return h + "retain_until < :today and " + h + "deletion_state is distinct from 'CONFIRMED'";
    }

    /** Deletion requests due on {@code today}: the deadline has passed and none was sent yet. Oldest deadline first. */
    @Transactional(readOnly = true)
    public List<DeletionDue> deletionsDue(LocalDate today) {
        return deletionsDue(today, CallerScope.wholeInstallation());
    }

    /** {@link #deletionsDue(LocalDate)} about persons placed within {@code scope} only (a data protection officer's). */
    @Transactional(readOnly = true)
    public List<DeletionDue> deletionsDue(LocalDate today, CallerScope scope) {
        // "is null" narrows the overdue to those not yet requested; the overdue predicate is kept whole for the index
        return jdbc.sql(SELECT + " where " + overdueOn("") + " and deletion_state is null and " + scope.person("person_id")
                        + " order by retain_until, person_id")
                .params(scope.params()).param("today", today).query((rs, n) -> due(rs, today)).list();
    }

    /** What is overdue on {@code today}: due, or requested and not confirmed. Oldest deadline first, at most {@code limit}. */
    @Transactional(readOnly = true)
    public List<DeletionDue> overdue(LocalDate today, int limit) {
        return jdbc.sql(SELECT + " where " + overdueOn("") + " order by retain_until, person_id limit :limit")
                .param("today", today).param("limit", limit).query((rs, n) -> due(rs, today)).list();
    }

    /** How many deletions are overdue on {@code today}. */
    @Transactional(readOnly = true)
    public long overdueCount(LocalDate today) {
        return overdueCount(today, CallerScope.wholeInstallation());
    }

    /** How many deletions about persons placed within {@code scope} are overdue on {@code today}. */
    @Transactional(readOnly = true)
    public long overdueCount(LocalDate today, CallerScope scope) {
        return jdbc.sql("select count(*) from holding where " + overdueOn("") + " and " + scope.person("person_id"))
                .params(scope.params()).param("today", today).query(Long.class).single();
    }

    /**
     * A deletion request was sent over SCIM (provisioning's DELETE). Same as {@link #deletionRequested(UUID,
     * UUID, UUID, DeletionChannel, Instant)} with {@link DeletionChannel#SCIM}.
     */
    public boolean deletionRequested(UUID personId, UUID supplierId, UUID productId, Instant at) {
        return deletionRequested(personId, supplierId, productId, DeletionChannel.SCIM, at);
    }

    /**
     * A deletion request was sent to the recipient: opens its receipt (sent-at, channel) and moves the
     * holding to REQUESTED. A request sent again while one is open (a retry) changes nothing: sent-at
     * stays the first sending; record the answers with {@link #deletionAnswered}. Returns whether such a
     * holding exists and is not confirmed deleted.
     */
    public boolean deletionRequested(UUID personId, UUID supplierId, UUID productId, DeletionChannel channel, Instant at) {
        Key key = new Key(personId, supplierId, productId);
        Optional<String> state = lockedState(key);
        if (state.isEmpty() || "CONFIRMED".equals(state.get())) {
            return false;
        }
        if (state.get().isEmpty()) {
            open(key, channel, at);
        }
        return true;
    }

    /**
     * The recipient answered a deletion request — for provisioning, whenever a SCIM DELETE returns (or fails
     * with an HTTP status). Records the answer in the request's receipt and its history; with
     * {@code confirmed} (a SCIM 204, or 404 — the supplier holds nothing under that id) the deletion is
     * confirmed at {@code at}. A request not recorded as sent yet is recorded as sent over SCIM at
     * {@code at}.
     *
     * @param status the HTTP status of the answer (0 when none came: a timeout or a refused connection)
     * @param answer a short text for the data protection officer — the status's reason phrase or the SCIM
     *               error's {@code scimType}, never anything that could name the person (no {@code detail}
     *               echoing the user); trimmed to 200 characters, control characters removed
     * @return whether it was recorded: false when there is no such holding or it was already confirmed
     *         deleted (a late or repeated answer changes nothing)
     */
    public boolean deletionAnswered(UUID personId, UUID supplierId, UUID productId, Instant at, int status, String answer, boolean confirmed) {
        return answered(new Key(personId, supplierId, productId), at, status, answer, confirmed, DeletionChannel.SCIM);
    }

    /**
     * The recipient confirmed it deleted what it held about the person (without an answer to keep: prefer
     * {@link #deletionAnswered}). Returns whether such a holding exists and was not confirmed before.
     */
    public boolean deletionConfirmed(UUID personId, UUID supplierId, UUID productId, Instant at) {
        return answered(new Key(personId, supplierId, productId), at, null, null, true, DeletionChannel.SCIM);
    }

    private boolean answered(Key key, Instant at, Integer status, String answer, boolean confirmed, DeletionChannel channelIfNew) {
        Optional<String> state = lockedState(key);
        if (state.isEmpty() || "CONFIRMED".equals(state.get())) {
            return false;
        }
        if (state.get().isEmpty()) {
            open(key, channelIfNew, at);
        }
        UUID request = currentRequest(key).orElseThrow();
        String text = shortAnswer(answer);
        Timestamp when = Timestamp.from(at);
        jdbc.sql("""
                        update deletion_request set answered_at = :at, answer_status = :status, answer = :answer,
                                                    confirmed_at = case when :confirmed then cast(:at as timestamptz) else confirmed_at end
                        where id = :id""")
                .param("at", when).param("status", status).param("answer", text).param("confirmed", confirmed).param("id", request).update();
        jdbc.sql("insert into deletion_answer (request_id, answered_at, answer_status, answer, confirmed) values (:id, :at, :status, :answer, :confirmed)")
                .param("id", request).param("at", when).param("status", status).param("answer", text).param("confirmed", confirmed).update();
        if (confirmed) {
            jdbc.sql("""
                            update holding set deletion_state = 'CONFIRMED', deletion_confirmed_at = :at
                            where person_id = :person and supplier_id = :supplier and product_id = :product""")
                    .param("at", when).param("person", key.person()).param("supplier", key.supplier()).param("product", key.product()).update();
        }
        return true;
    }

    /** The holding's deletion state under its row lock: empty when there is no holding, "" when none is set. */
    private Optional<String> lockedState(Key key) {
        return jdbc.sql("select coalesce(deletion_state, '') from holding where person_id = :person and supplier_id = :supplier and product_id = :product for update")
                .param("person", key.person()).param("supplier", key.supplier()).param("product", key.product()).query(String.class).optional();
    }

    /** Opens a request for a holding whose row is locked and has no deletion state. */
    private void open(Key key, DeletionChannel channel, Instant at) {
        jdbc.sql("""
                        with marked as (
                            update holding set deletion_state = 'REQUESTED', deletion_requested_at = :at, deletion_confirmed_at = null
                            where person_id = :person and supplier_id = :supplier and product_id = :product
                            returning person_id, supplier_id, product_id, retain_until
                        )
                        insert into deletion_request (id, person_id, supplier_id, product_id, retain_until, channel, sent_at)
                        select :id, person_id, supplier_id, product_id, retain_until, :channel, :at from marked""")
                .param("id", UUID.randomUUID()).param("channel", channel.name()).param("at", Timestamp.from(at))
                .param("person", key.person()).param("supplier", key.supplier()).param("product", key.product()).update();
    }

    private Optional<UUID> currentRequest(Key key) {
        return jdbc.sql("select id from deletion_request where person_id = :person and supplier_id = :supplier and product_id = :product order by seq desc limit 1")
                .param("person", key.person()).param("supplier", key.supplier()).param("product", key.product()).query(UUID.class).optional();
    }

    /** At most 200 characters, on one line: an answer is a status text, not a document. */
    static String shortAnswer(String answer) {
        if (answer == null) {
            return null;
        }
        String line = answer.replaceAll("\\p{Cntrl}+", " ").replaceAll("\\s+", " ").strip();
        if (line.isEmpty()) {
            return null;
        }
        return line.length() <= 200 ? line : line.substring(0, 199) + "…";
    }

    record Key(UUID person, UUID supplier, UUID product) {
    }

    /** The current deletion request of a holding with its latest answer; empty while none was sent (or after a new release). */
    @Transactional(readOnly = true)
    public Optional<DeletionReceipt> deletionReceipt(UUID personId, UUID supplierId, UUID productId) {
        return jdbc.sql(RECEIPT + """
                         from deletion_request r join holding h using (person_id, supplier_id, product_id)
                        where r.person_id = :person and r.supplier_id = :supplier and r.product_id = :product and h.deletion_state is not null
                        order by r.seq desc limit 1""")
                .param("person", personId).param("supplier", supplierId).param("product", productId).query((rs, n) -> receipt(rs)).optional();
    }

    /** The current receipts of a person's holdings, by (supplier, product). */
    Map<List<UUID>, DeletionReceipt> receiptsOf(UUID personId) {
        Map<List<UUID>, DeletionReceipt> receipts = new HashMap<>();
        jdbc.sql(RECEIPT + """
                        , r.supplier_id, r.product_id
                        from deletion_request r join holding h using (person_id, supplier_id, product_id)
                        where r.person_id = :person and h.deletion_state is not null
                        order by r.seq""")
                .param("person", personId)
                .query(rs -> {
                    receipts.put(List.of(rs.getObject("supplier_id", UUID.class), rs.getObject("product_id", UUID.class)), receipt(rs));
                });
        return receipts;
    }

    private static final String RECEIPT = "select r.id, r.channel, r.sent_at, r.answered_at, r.answer_status, r.answer, r.confirmed_at";

    private static DeletionReceipt receipt(ResultSet rs) throws SQLException {
        int status = rs.getInt("answer_status");
        Integer answerStatus = rs.wasNull() ? null : status;
        return new DeletionReceipt(rs.getObject("id", UUID.class), DeletionChannel.valueOf(rs.getString("channel")), instant(rs, "sent_at"),
                instant(rs, "answered_at"), answerStatus, rs.getString("answer"), instant(rs, "confirmed_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    /**
     * The overdue deletions for the data protection officer, with their receipts: due and not sent, or sent
     * and not confirmed. Oldest deadline first, at most {@code limit}.
     */
    @Transactional(readOnly = true)
    public List<OverdueDeletion> overdueDeletions(LocalDate today, int limit) {
        return overdueDeletions(today, limit, CallerScope.wholeInstallation());
    }

    /** {@link #overdueDeletions(LocalDate, int)} about persons placed within {@code scope} only (a data protection officer's). */
    @Transactional(readOnly = true)
    public List<OverdueDeletion> overdueDeletions(LocalDate today, int limit, CallerScope scope) {
        return jdbc.sql("""
                        select h.person_id, h.supplier_id, h.product_id, h.attributes, h.ended_on, h.retain_until, h.deletion_state,
                               r.id, r.channel, r.sent_at, r.answered_at, r.answer_status, r.answer, r.confirmed_at
                        from holding h left join lateral (
                            select * from deletion_request r
                            where r.person_id = h.person_id and r.supplier_id = h.supplier_id and r.product_id = h.product_id
                            order by r.seq desc limit 1
                        ) r on h.deletion_state is not null
                        where %s and %s
                        order by h.retain_until, h.person_id, h.supplier_id, h.product_id limit :limit""".formatted(overdueOn("h."), scope.person("h.person_id")))
                .params(scope.params()).param("today", today).param("limit", limit)
                .query((rs, n) -> {
                    LocalDate until = rs.getObject("retain_until", LocalDate.class);
                    boolean sent = rs.getObject("id") != null;
                    return new OverdueDeletion(rs.getObject("person_id", UUID.class), rs.getObject("supplier_id", UUID.class),
                            rs.getObject("product_id", UUID.class), List.of((String[]) rs.getArray("attributes").getArray()),
                            rs.getObject("ended_on", LocalDate.class), until, ChronoUnit.DAYS.between(until, today),
                            rs.getString("deletion_state") == null ? DeletionState.DUE : DeletionState.REQUESTED, sent ? receipt(rs) : null);
                }).list();
    }

    /**
     * What one supplier must delete, for its API door: every holding of its whose retention ran out before
     * {@code today} and that it has not confirmed deleted, oldest deadline first, one page. For a supplier
     * without a SCIM connector this list IS the request: the deletions on the page that were not requested
     * yet are recorded as requested through {@link DeletionChannel#SUPPLIER_API} at {@code at}; those
     * requested before keep their first sending. Only holdings that include the pseudonymous id are listed —
     * it is how the door names the person, and naming them otherwise would release data again; the rest stay
     * on the overdue list for the data protection officer to follow up by hand.
     */
    public List<SupplierDeletion> requestThroughSupplierApi(UUID supplierId, LocalDate today, Instant at, int limit, int offset) {
        record Row(UUID person, UUID product, String state) {
        }
        List<Row> page = jdbc.sql(SUPPLIER_DUE + " order by retain_until, person_id, product_id limit :limit offset :offset")
                .param("supplier", supplierId).param("today", today).param("limit", limit).param("offset", offset)
                .query((rs, n) -> new Row(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3))).list();
        List<Row> unsent = page.stream().filter(r -> r.state() == null).toList();
        if (!unsent.isEmpty()) {
            // in the key order appenders lock holdings in; a row requested meanwhile by another node is skipped on re-check
            jdbc.sql("""
                            with due as (
                                select h.person_id, h.supplier_id, h.product_id from holding h
                                where h.supplier_id = :supplier and h.deletion_state is null
                                  and (h.person_id, h.product_id) in (select * from unnest(cast(:persons as uuid[]), cast(:products as uuid[])))
                                order by h.person_id, h.supplier_id, h.product_id for update
                            ), marked as (
                                update holding h set deletion_state = 'REQUESTED', deletion_requested_at = :at, deletion_confirmed_at = null
                                from due d where h.person_id = d.person_id and h.supplier_id = d.supplier_id and h.product_id = d.product_id
                                returning h.person_id, h.supplier_id, h.product_id, h.retain_until
                            )
                            insert into deletion_request (id, person_id, supplier_id, product_id, retain_until, channel, sent_at)
                            select gen_random_uuid(), person_id, supplier_id, product_id, retain_until, 'SUPPLIER_API', :at from marked
                            order by person_id, product_id""")
                    .param("supplier", supplierId).param("at", Timestamp.from(at))
                    .param("persons", unsent.stream().map(Row::person).toArray(UUID[]::new))
                    .param("products", unsent.stream().map(Row::product).toArray(UUID[]::new)).update();
        }
        if (page.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("""
                        select r.id, h.person_id, h.product_id, h.retain_until, r.sent_at from holding h
                        join lateral (
                            select * from deletion_request r
                            where r.person_id = h.person_id and r.supplier_id = h.supplier_id and r.product_id = h.product_id
                            order by r.seq desc limit 1
                        ) r on true
                        where h.supplier_id = :supplier and h.deletion_state = 'REQUESTED'
                          and (h.person_id, h.product_id) in (select * from unnest(cast(:persons as uuid[]), cast(:products as uuid[])))
                        order by h.retain_until, h.person_id, h.product_id""")
                .param("supplier", supplierId).param("persons", page.stream().map(Row::person).toArray(UUID[]::new))
                .param("products", page.stream().map(Row::product).toArray(UUID[]::new))
                .query((rs, n) -> new SupplierDeletion(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class),
                        rs.getObject(4, LocalDate.class), rs.getTimestamp(5).toInstant())).list();
    }

    /** How many deletions the supplier's door lists in all (for paging). */
    @Transactional(readOnly = true)
    public long supplierDeletionCount(UUID supplierId, LocalDate today) {
        return jdbc.sql("select count(*) from (" + SUPPLIER_DUE + ") d").param("supplier", supplierId).param("today", today).query(Long.class).single();
    }

    private static final String SUPPLIER_DUE = """
            select person_id, product_id, deletion_state from holding
            where supplier_id = :supplier and %s
              and 'PSEUDONYMOUS_ID' = any(attributes)""".formatted(overdueOn(""));

    /**
     * The supplier confirms, through its API door, the deletion request it was given: idempotent — a
     * repeated confirmation changes nothing and answers with the first time. Empty when no request with that
     * id is the supplier's (another supplier's request is as unknown as a made-up id).
     *
     * @param clientId the supplier's API client, kept in the answer text (it names a system, not a person)
     */
    public Optional<SupplierConfirmation> confirmThroughSupplierApi(UUID supplierId, UUID requestId, Instant at, String clientId) {
        record Request(UUID person, UUID product, long seq) {
        }
        Optional<Request> found = jdbc.sql("select person_id, product_id, seq from deletion_request where id = :id and supplier_id = :supplier")
                .param("id", requestId).param("supplier", supplierId)
                .query((rs, n) -> new Request(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getLong(3))).optional();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Request request = found.get();
        Key key = new Key(request.person(), supplierId, request.product());
        String state = lockedState(key).orElse("");
        Optional<Instant> confirmedBefore = jdbc.sql("select confirmed_at from deletion_request where id = :id").param("id", requestId)
                .query((rs, n) -> Optional.ofNullable(instant(rs, "confirmed_at"))).single();
        if (confirmedBefore.isPresent()) {
            return Optional.of(new SupplierConfirmation(SupplierConfirmation.Outcome.ALREADY_CONFIRMED, requestId, request.product(),
                    confirmedBefore.get()));
        }
        long latest = jdbc.sql("select max(seq) from deletion_request where person_id = :person and supplier_id = :supplier and product_id = :product")
                .param("person", key.person()).param("supplier", supplierId).param("product", key.product()).query(Long.class).single();
        if (!"REQUESTED".equals(state) || latest != request.seq()) {
            return Optional.of(new SupplierConfirmation(SupplierConfirmation.Outcome.SUPERSEDED, requestId, request.product(), null));
        }
        answered(key, at, null, "confirmed through the supplier API by " + clientId, true, DeletionChannel.SUPPLIER_API);
        return Optional.of(new SupplierConfirmation(SupplierConfirmation.Outcome.CONFIRMED, requestId, request.product(),
                at.truncatedTo(ChronoUnit.MICROS)));
    }

    private static final String SELECT = "select person_id, supplier_id, product_id, attributes, ended_on, retain_until, deletion_state from holding";

    private static DeletionDue due(ResultSet rs, LocalDate today) throws SQLException {
        LocalDate until = rs.getObject("retain_until", LocalDate.class);
        return new DeletionDue(rs.getObject("person_id", UUID.class), rs.getObject("supplier_id", UUID.class), rs.getObject("product_id", UUID.class),
                List.of((String[]) rs.getArray("attributes").getArray()), rs.getObject("ended_on", LocalDate.class), until,
                ChronoUnit.DAYS.between(until, today), rs.getString("deletion_state") == null ? DeletionState.DUE : DeletionState.REQUESTED);
    }
}
