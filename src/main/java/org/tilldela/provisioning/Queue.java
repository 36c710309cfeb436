package org.tilldela.provisioning;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The outbox's working side: claiming due operations ({@code FOR UPDATE SKIP LOCKED}, so any number of workers
 * on any number of nodes share the queue without taking the same one), and settling them. A person's operation
 * is claimed only when no earlier one of theirs at the same connector is waiting or in flight: a person's
 * operations reach a supplier in the order they were made.
 */
@Component
class Queue {

    private final JdbcClient jdbc;
    private final DeletionBrake brake;
    private final SupplierErrors errors;

    private final io.micrometer.core.instrument.MeterRegistry meters;

    Queue(JdbcClient jdbc, DeletionBrake brake, SupplierErrors errors, io.micrometer.core.instrument.MeterRegistry meters) {
        this.meters = meters;
        this.jdbc = jdbc;
        this.brake = brake;
        this.errors = errors;
    }

    /** @param productId the holding's product, for a DELETE (null otherwise) */
    record Op(long id, UUID connectorId, UUID personId, String kind, String cause, int attempts, UUID productId) {
    }

    /** @param digest of the user attributes last sent ({@link ScimUsers#digest}); null: unknown (kept as it was) */
    record Account(String scimId, String externalId, boolean active, String digest) {
        Account(String scimId, String externalId, boolean active) {
            this(scimId, externalId, active, null);
        }
    }

    /** Enabled connectors not backing off that have an operation due (or one whose worker's lease ran out). */
    @Transactional(readOnly = true)
    List<UUID> connectorsWithDueWork() {
        return jdbc.sql("""
                select c.id from provisioning_connector c
                where c.enabled and (c.backoff_until is null or c.backoff_until <= now())
                  and exists (select 1 from provisioning_operation o where o.connector_id = c.id and o.state in ('PENDING', 'IN_FLIGHT')
                              and ((o.state = 'PENDING' and o.not_before <= now()) or (o.state = 'IN_FLIGHT' and o.lease_until < now()))
                              -- held by the deletion brake: not due until an administrator releases them
                              and not (o.kind in ('DEACTIVATE', 'DELETE') and c.brake_held_at is not null and o.id > c.brake_released_through))
                """).query(UUID.class).list();
    }

    /**
     * An operation is still this worker's while it is in flight with the attempt count its claim gave it: a claim
     * taken over after the lease ran out counts one more attempt, so a late worker's settling finds nothing to change.
     */
    private static final String OURS = " id = :id and state = 'IN_FLIGHT' and attempts = :attempts";

    /**
     * Before an operation of a claimed batch is sent: still ours? Then its lease starts again, so a long batch does
     * not lose its tail to another worker while it works through the head. False: another worker took it over.
     */
    @Transactional
    boolean renew(Op op, Duration lease) {
        return jdbc.sql("update provisioning_operation set lease_until = now() + make_interval(secs => :lease) where " + OURS)
                .param("id", op.id()).param("attempts", op.attempts()).param("lease", lease.toMillis() / 1000.0).update() == 1;
    }

    /**
     * The due operations of a connector, in id order, each the earliest open one of its person (an index lookup per
     * row in {@code provisioning_operation_person}, as a scalar subquery: a NOT EXISTS would be planned as an anti-join,
     * and on a freshly filled queue without statistics PostgreSQL chose a nested loop over it — 10,000 queued
     * operations made one claim take minutes). Walked along {@code provisioning_operation_open} and locked as found,
     * so a claim costs about its batch, not the queue.
     */
    private static final String DUE = """
            select o.id from provisioning_operation o join provisioning_connector c on c.id = o.connector_id
            where o.connector_id = :c and o.state in ('PENDING', 'IN_FLIGHT') and c.enabled and (c.backoff_until is null or c.backoff_until <= now())
              and ((o.state = 'PENDING' and o.not_before <= now()) or (o.state = 'IN_FLIGHT' and o.lease_until < now()))
              and not (o.kind in ('DEACTIVATE', 'DELETE') and c.brake_held_at is not null and o.id > c.brake_released_through)
              and o.id = (select min(e.id) from provisioning_operation e
                          where e.connector_id = o.connector_id and e.person_id = o.person_id and e.state in ('PENDING', 'IN_FLIGHT'))
            """;

    @Transactional
    List<Op> claim(UUID connector, int limit, Duration lease) {
        return jdbc.sql("""
                        with ahead as (
                            %s and o.kind <> 'DELETE'
                            order by o.id
                            limit :limit
                            for update of o skip locked
                        ), deletions as (
                            -- deletions after everything else that is due (as EGIL's reference client sends them last)
                            %s and o.kind = 'DELETE'
                            order by o.id
                            limit greatest(0, :limit - (select count(*) from ahead))
                            for update of o skip locked
                        ), due as (
                            select id from ahead union all select id from deletions
                        )
                        update provisioning_operation o set state = 'IN_FLIGHT', attempts = o.attempts + 1,
                               lease_until = now() + make_interval(secs => :lease)
                        from due where o.id = due.id
                        returning o.id, o.connector_id, o.person_id, o.kind, o.cause, o.attempts, o.product_id
                        """.formatted(DUE, DUE))
                .param("c", connector).param("limit", limit).param("lease", lease.toMillis() / 1000.0)
                .query((rs, n) -> new Op(rs.getLong(1), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class), rs.getString(4), rs.getString(5),
                        rs.getInt(6), rs.getObject(7, UUID.class)))
                .list().stream().sorted(java.util.Comparator.comparing((Op o) -> o.kind().equals("DELETE")).thenComparingLong(Op::id)).toList();
    }

    @Transactional(readOnly = true)
    List<UUID> servedProducts(UUID connector) {
        return jdbc.sql("select product_id from provisioning_connector_product where connector_id = :c order by product_id").param("c", connector)
                .query(UUID.class).list();
    }

    @Transactional(readOnly = true)
    Optional<Account> account(UUID connector, UUID person) {
        return jdbc.sql("select scim_id, external_id, active, sent_digest from provisioned_account where connector_id = :c and person_id = :p")
                .param("c", connector).param("p", person)
                .query((rs, n) -> new Account(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getString(4))).optional();
    }

    /**
     * {@link #renew} for a whole Bulk request's operations in one statement: answers the ids still this worker's
     * (their leases started again); the others were taken over and are not sent.
     */
    @Transactional
    java.util.Set<Long> renewAll(List<Op> ops, Duration lease) {
        if (ops.isEmpty()) {
            return java.util.Set.of();
        }
        return java.util.Set.copyOf(jdbc.sql("""
                        update provisioning_operation set lease_until = now() + make_interval(secs => :lease)
                        from unnest(cast(:ids as bigint[]), cast(:attempts as int[])) as mine(op_id, claimed_attempts)
                        where provisioning_operation.id = mine.op_id and provisioning_operation.attempts = mine.claimed_attempts
                          and provisioning_operation.state = 'IN_FLIGHT'
                        returning provisioning_operation.id
                        """)
                .param("ids", ops.stream().map(Op::id).toArray(Long[]::new)).param("attempts", ops.stream().map(Op::attempts).toArray(Integer[]::new))
                .param("lease", lease.toMillis() / 1000.0).query(Long.class).list());
    }

    /** The accounts at one connector of these persons (those that have one). */
    @Transactional(readOnly = true)
    java.util.Map<UUID, Account> accounts(UUID connector, java.util.Collection<UUID> persons) {
        java.util.Map<UUID, Account> accounts = new java.util.HashMap<>();
        if (persons.isEmpty()) {
            return accounts;
        }
        jdbc.sql("select person_id, scim_id, external_id, active, sent_digest from provisioned_account where connector_id = :c and person_id = any(:p)")
                .param("c", connector).param("p", persons.toArray(UUID[]::new))
                .query(rs -> {
                    accounts.put(rs.getObject(1, UUID.class), new Account(rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getString(5)));
                });
        return accounts;
    }

    /** An operation and the account it left at the supplier (null: none). */
    record Settled(Op op, Account account) {
    }

    /**
     * {@link #done} for a whole Bulk response's successful operations, in one transaction of three statements: the
     * operations done (each only while still this worker's claim), the accounts of those as the supplier now has them.
     */
    @Transactional
    void doneAll(List<Settled> settled) {
        if (settled.isEmpty()) {
            return;
        }
        Set<Long> ours = new java.util.HashSet<>(jdbc.sql("""
                        update provisioning_operation set state = 'DONE', finished_at = now(), lease_until = null, last_error = null
                        from unnest(cast(:ids as bigint[]), cast(:attempts as int[])) as mine(op_id, claimed_attempts)
                        where provisioning_operation.id = mine.op_id and provisioning_operation.attempts = mine.claimed_attempts
                          and provisioning_operation.state = 'IN_FLIGHT'
                        returning provisioning_operation.id
                        """)
                .param("ids", settled.stream().map(s -> s.op().id()).toArray(Long[]::new))
                .param("attempts", settled.stream().map(s -> s.op().attempts()).toArray(Integer[]::new)).query(Long.class).list());
        // only for operations still ours: one taken over is its new owner's to record
        recordAll(settled.stream().filter(s -> s.account() != null && ours.contains(s.op().id())).toList());
        jdbc.sql("update provisioning_connector set last_success_at = now() where id = any(:c)")
                .param("c", settled.stream().map(s -> s.op().connectorId()).distinct().toArray(UUID[]::new)).update();
    }

    /** {@link #remember} for a batch: the accounts of the operations still this worker's (locked until commit), in one statement. */
    @Transactional
    void rememberAll(List<Settled> settled) {
        if (settled.isEmpty()) {
            return;
        }
        Set<Long> ours = new java.util.HashSet<>(jdbc.sql("""
                        select o.id from provisioning_operation o
                        join unnest(cast(:ids as bigint[]), cast(:attempts as int[])) as mine(op_id, claimed_attempts)
                          on o.id = mine.op_id and o.attempts = mine.claimed_attempts
                        where o.state = 'IN_FLIGHT'
                        for update of o""")
                .param("ids", settled.stream().map(s -> s.op().id()).toArray(Long[]::new))
                .param("attempts", settled.stream().map(s -> s.op().attempts()).toArray(Integer[]::new)).query(Long.class).list());
        recordAll(settled.stream().filter(s -> s.account() != null && ours.contains(s.op().id())).toList());
    }

    private void recordAll(List<Settled> withAccount) {
        if (!withAccount.isEmpty()) {
            jdbc.sql("""
                            insert into provisioned_account (connector_id, person_id, scim_id, external_id, active, sent_digest)
                            select * from unnest(cast(:c as uuid[]), cast(:p as uuid[]), cast(:id as text[]), cast(:ext as text[]),
                                                 cast(:active as boolean[]), cast(:digest as text[]))
                            on conflict (connector_id, person_id) do update set scim_id = excluded.scim_id, external_id = excluded.external_id,
                                active = excluded.active, sent_digest = coalesce(excluded.sent_digest, provisioned_account.sent_digest), updated_at = now()
                            """)
                    .param("c", withAccount.stream().map(s -> s.op().connectorId()).toArray(UUID[]::new))
                    .param("p", withAccount.stream().map(s -> s.op().personId()).toArray(UUID[]::new))
                    .param("id", withAccount.stream().map(s -> s.account().scimId()).toArray(String[]::new))
                    .param("ext", withAccount.stream().map(s -> s.account().externalId()).toArray(String[]::new))
                    .param("active", withAccount.stream().map(s -> s.account().active()).toArray(Boolean[]::new))
                    .param("digest", withAccount.stream().map(s -> s.account().digest()).toArray(String[]::new)).update();
        }
    }

    /** The operation succeeded: the supplier's account is as recorded (none if {@code account} is null). */
    @Transactional
    void done(Op op, Account account) {
        int ours = jdbc.sql("update provisioning_operation set state = 'DONE', finished_at = now(), lease_until = null, last_error = null where " + OURS)
                .param("id", op.id()).param("attempts", op.attempts()).update();
        if (ours == 0) {
            return; // taken over (its lease ran out): the new owner looks at the supplier and records what it finds there
        }
        if (account != null) {
            record(op, account);
        }
        jdbc.sql("update provisioning_connector set last_success_at = now() where id = :c").param("c", op.connectorId()).update();
    }

    /** Still this worker's operation, locked until the transaction ends (so nobody takes it over meanwhile). */
    private boolean ours(Op op) {
        return jdbc.sql("select id from provisioning_operation where " + OURS + " for update").param("id", op.id()).param("attempts", op.attempts())
                .query(Long.class).optional().isPresent();
    }

    /**
     * The supplier's user is as given, whatever happens next in the operation (its groups): recorded at once, so
     * that an account made at the supplier is always known here — and followed by later deactivation and deletion —
     * even when the rest of the operation fails.
     */
    @Transactional
    void remember(Op op, Account account) {
        if (ours(op)) {
            record(op, account);
        }
    }

    private void record(Op op, Account account) {
        jdbc.sql("""
                        insert into provisioned_account (connector_id, person_id, scim_id, external_id, active, sent_digest)
                        values (:c, :p, :id, :ext, :active, :digest)
                        on conflict (connector_id, person_id) do update set scim_id = excluded.scim_id, external_id = excluded.external_id,
                            active = excluded.active, sent_digest = coalesce(excluded.sent_digest, provisioned_account.sent_digest), updated_at = now()
                        """)
                .param("c", op.connectorId()).param("p", op.personId()).param("id", account.scimId()).param("ext", account.externalId())
                .param("active", account.active()).param("digest", account.digest()).update();
    }

    /** A DELETE succeeded (or the supplier holds nothing): no account there any more, and in none of its groups. */
    @Transactional
    void deleted(Op op) {
        if (!ours(op)) {
            return; // taken over: its new owner sends the DELETE again (a 404 is a receipt too) and records it
        }
        jdbc.sql("delete from provisioned_membership where connector_id = :c and person_id = :p").param("c", op.connectorId())
                .param("p", op.personId()).update();
        // kept while another of the person's holdings at this supplier waits for its DELETE: that one needs the ids
        jdbc.sql("""
                        delete from provisioned_account a where a.connector_id = :c and a.person_id = :p
                          and not exists (select 1 from provisioning_operation o where o.connector_id = :c and o.person_id = :p and o.kind = 'DELETE'
                                          and o.state in ('PENDING', 'IN_FLIGHT') and o.id <> :id)
                        """)
                .param("c", op.connectorId()).param("p", op.personId()).param("id", op.id()).update();
        done(op, null);
    }

    /** The supplier the connector belongs to. */
    @Transactional(readOnly = true)
    UUID supplierOf(UUID connector) {
        return jdbc.sql("select supplier_id from provisioning_connector where id = :c").param("c", connector).query(UUID.class).single();
    }

    /** Tried again after the delay. */
    @Transactional
    void retry(Op op, Duration delay, String supplierText) {
        String reason = errors.fitToKeep(supplierText, List.of(op.personId()));
        jdbc.sql("""
                        update provisioning_operation set state = 'PENDING', lease_until = null, last_error = :reason,
                               not_before = now() + make_interval(secs => :delay) where """ + OURS)
                .param("id", op.id()).param("attempts", op.attempts()).param("reason", reason).param("delay", delay.toMillis() / 1000.0).update();
        countFailure(keepFailure(op.connectorId(), reason), "retried");
    }

    /** Every attempt failed, or the supplier refused it for good: a dead letter, until an administrator replays it. */
    /**
     * A SYNC that finds nothing may go any more about a person whose account at the supplier is active (an agreement
     * revoked, an objection, a product taken off the connector) would deactivate the account: that is a deactivation,
     * and deactivations pass the deletion brake. So it is not sent from here: the SYNC is settled and a DEACTIVATE queued
     * in its place, counted by the brake in the same transaction — unless a later operation of the person is already
     * queued, which then decides. False: the operation was no longer ours.
     */
    @Transactional
    boolean becomeDeactivation(Op op) {
        if (jdbc.sql("update provisioning_operation set state = 'DONE', finished_at = now(), lease_until = null, last_error = null where " + OURS)
                .param("id", op.id()).param("attempts", op.attempts()).update() == 0) {
            return false;
        }
        int queued = jdbc.sql("""
                        insert into provisioning_operation (connector_id, person_id, kind, cause)
                        select :c, :p, 'DEACTIVATE', :cause
                        where not exists (select 1 from provisioning_operation e where e.connector_id = :c and e.person_id = :p
                                          and e.state in ('PENDING', 'IN_FLIGHT'))
                        """).param("c", op.connectorId()).param("p", op.personId()).param("cause", op.cause()).update();
        if (queued > 0) {
            brake.check();
        }
        return true;
    }

    /** A DELETE that must not go (the account is active again): not sent; the holding stays due and is asked again later. */
    @Transactional
    void discarded(Op op, String why) {
        String reason = errors.fitToKeep(why, List.of(op.personId()));
        jdbc.sql("update provisioning_operation set state = 'DISCARDED', finished_at = now(), lease_until = null, last_error = :reason where " + OURS)
                .param("id", op.id()).param("attempts", op.attempts()).param("reason", reason).update();
    }

    @Transactional
    void dead(Op op, String supplierText) {
        String reason = errors.fitToKeep(supplierText, List.of(op.personId()));
        jdbc.sql("update provisioning_operation set state = 'DEAD', finished_at = now(), lease_until = null, last_error = :reason where " + OURS)
                .param("id", op.id()).param("attempts", op.attempts()).param("reason", reason).update();
        countFailure(keepFailure(op.connectorId(), reason), "dead");
    }

    /** Operations claimed but not tried (the supplier asked us to wait): back to the queue, the attempt not counted. */
    @Transactional
    void putBack(List<Op> ops, Duration delay) {
        putBack(ops, delay, null);
    }

    /** As {@link #putBack(List, Duration)}, with why they could not be tried (shown on them and on the connector; null: not changed). */
    @Transactional
    void putBack(List<Op> ops, Duration delay, String why) {
        String reason = errors.fitToKeep(why, ops.stream().map(Op::personId).toList());
        if (reason != null && !ops.isEmpty()) {
            keepFailure(ops.getFirst().connectorId(), reason);
        }
        if (ops.isEmpty()) {
            return;
        }
        jdbc.sql("""
                        update provisioning_operation set state = 'PENDING', lease_until = null, attempts = greatest(provisioning_operation.attempts - 1, 0),
                               not_before = now() + make_interval(secs => :delay), last_error = coalesce(cast(:reason as text), provisioning_operation.last_error)
                        from unnest(cast(:ids as bigint[]), cast(:attempts as int[])) as mine(op_id, claimed_attempts)
                        where provisioning_operation.id = mine.op_id and provisioning_operation.attempts = mine.claimed_attempts
                          and provisioning_operation.state = 'IN_FLIGHT'
                        """)
                .param("ids", ops.stream().map(Op::id).toArray(Long[]::new)).param("attempts", ops.stream().map(Op::attempts).toArray(Integer[]::new))
                .param("delay", delay.toMillis() / 1000.0).param("reason", reason).update();
    }

    /** The whole connector waits (429/503 Retry-After, or a failing supplier): its workers stop claiming until then. */
    @Transactional
    void backOff(UUID connector, Duration delay) {
        jdbc.sql("""
                        update provisioning_connector set backoff_until = greatest(coalesce(backoff_until, now()), now() + make_interval(secs => :delay))
                        where id = :c
                        """).param("c", connector).param("delay", delay.toMillis() / 1000.0).update();
    }

    /** Done operations are kept a while for looking back, then removed (dead letters stay until replayed). */
    @Transactional
    int prune(Duration keep) {
        return jdbc.sql("delete from provisioning_operation where state in ('DONE', 'DISCARDED', 'REPLAYED') and finished_at < now() - make_interval(secs => :keep)")
                .param("keep", keep.toSeconds()).update();
    }

    /**
     * The connector's last error, as its page shows it. Every stored supplier text passes {@link SupplierErrors#fitToKeep}
     * (here: already masked with the operation's persons by its caller).
     */
    /** Answers the supplier's name, which the metrics count failures by. */
    private String keepFailure(UUID connector, String reason) {
        return jdbc.sql("""
                        update provisioning_connector c set last_error = :r, last_error_at = now() where id = :c
                        returning (select s.name from supplier s where s.id = c.supplier_id)""").param("c", connector).param("r", reason)
                .query(String.class).optional().orElse("unknown");
    }

    /** A failed attempt at a supplier: tried again later ("retried") or given up ("dead"). */
    private void countFailure(String supplier, String outcome) {
        meters.counter("tilldela.provisioning.failures", "supplier", supplier, "outcome", outcome).increment();
    }

    /** Operations waiting to go (pending or being sent), by supplier name; every supplier with a connector is named, 0 when idle. */
    @Transactional(readOnly = true)
    Map<String, Long> depthBySupplier() {
        Map<String, Long> depth = new java.util.TreeMap<>();
        jdbc.sql("""
                        select s.name, (select count(*) from provisioning_operation o where o.connector_id = c.id and o.state in ('PENDING', 'IN_FLIGHT'))
                        from provisioning_connector c join supplier s on s.id = c.supplier_id""")
                .query(rs -> {
                    depth.merge(rs.getString(1), rs.getLong(2), Long::sum);
                });
        return depth;
    }
}
