package org.tilldela.provisioning;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.tilldela.directory.Rosters;
import org.tilldela.licensing.Licences;

/**
 * The outbox's writing side: operations are inserted in the caller's transaction, so a licence granted and the
 * operation that tells the supplier commit together, or neither does. Licence events of one transaction (a
 * recompute may grant thousands) are gathered and written in one statement just before it commits.
 */
@Component
class Outbox {

    private final JdbcClient jdbc;
    private final DeletionBrake brake;
    private final Licences licences;
    private final Rosters rosters;

    Outbox(JdbcClient jdbc, DeletionBrake brake, Licences licences, Rosters rosters) {
        this.jdbc = jdbc;
        this.brake = brake;
        this.licences = licences;
        this.rosters = rosters;
    }

    /**
     * Many persons' operations are queued with class-mates next to each other (the directory's order, {@link
     * Rosters#classmatesTogether}), so that a worker's batch holds the members of the same groups and sends each group's
     * new members in one request; in the order of their person ids, a batch of 20 out of 100,000 shares hardly a group.
     */
    private List<UUID> inBatchOrder(Collection<UUID> persons) {
        return persons.size() < 2 ? List.copyOf(persons) : rosters.classmatesTogether(persons);
    }

    /** A licence change: every connector serving the product gets a SYNC for the person. */
    record ProductChange(UUID personId, UUID productId, String cause) {
    }

    private static final Object PENDING = new Object();

    /** Gathers a licence change for the current transaction's commit (or writes it at once, outside a transaction). */
    void onCommit(ProductChange change) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            enqueueForProducts(List.of(change));
            return;
        }
        @SuppressWarnings("unchecked")
        List<ProductChange> gathered = (List<ProductChange>) TransactionSynchronizationManager.getResource(PENDING);
        if (gathered == null) {
            List<ProductChange> fresh = new ArrayList<>();
            gathered = fresh;
            TransactionSynchronizationManager.bindResource(PENDING, fresh);
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void beforeCommit(boolean readOnly) {
                    TransactionSynchronizationManager.unbindResourceIfPossible(PENDING);
                    enqueueForProducts(fresh);
                }

                @Override
                public void afterCompletion(int status) {
                    TransactionSynchronizationManager.unbindResourceIfPossible(PENDING);
                }
            });
        }
        gathered.add(change);
    }

    /**
     * One operation per connector and person, whatever number of that person's products changed: a SYNC — or, when the
     * last change is a licence that ended and the person now holds none of the connector's products while their account
     * there is active, a DEACTIVATE, which the deletion brake counts like a leaver's (a revoked agreement or a wrongly
     * withdrawn pool must not deactivate a supplier's accounts unseen either).
     */
    void enqueueForProducts(Collection<ProductChange> changes) {
        if (changes.isEmpty()) {
            return;
        }
        record Queued(long id, UUID connector, UUID person, String cause) {
        }
        // a person's changes kept together and in their order (a stable sort), the persons in batch order
        Map<UUID, Integer> rank = new HashMap<>();
        for (UUID person : inBatchOrder(changes.stream().map(ProductChange::personId).distinct().toList())) {
            rank.put(person, rank.size());
        }
        changes = changes.stream().sorted(java.util.Comparator.comparingInt(c -> rank.get(c.personId()))).toList();
        List<Queued> queued = jdbc.sql("""
                        insert into provisioning_operation (connector_id, person_id, kind, cause)
                        select connector_id, person, 'SYNC', cause from (
                            select distinct on (cp.connector_id, i.person) cp.connector_id, i.person, i.cause, i.n
                            from unnest(:persons, :products, :causes) with ordinality i(person, product, cause, n)
                            join provisioning_connector_product cp on cp.product_id = i.product
                            order by cp.connector_id, i.person, i.n desc) latest
                        order by connector_id, n
                        returning id, connector_id, person_id, cause
                        """)
                .param("persons", changes.stream().map(ProductChange::personId).toArray(UUID[]::new))
                .param("products", changes.stream().map(ProductChange::productId).toArray(UUID[]::new))
                .param("causes", changes.stream().map(ProductChange::cause).toArray(String[]::new))
                .query((rs, n) -> new Queued(rs.getLong(1), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class), rs.getString(4))).list();
        Map<UUID, List<Queued>> ended = new HashMap<>();
        queued.stream().filter(q -> q.cause().equals("LICENCE_ENDED")).forEach(q -> ended.computeIfAbsent(q.connector(), c -> new ArrayList<>()).add(q));
        List<Long> deactivations = new ArrayList<>();
        LocalDate today = LocalDate.now();
        ended.forEach((connector, ops) -> {
            Set<UUID> persons = new HashSet<>();
            ops.forEach(o -> persons.add(o.person()));
            Set<UUID> stillHolding = new HashSet<>();
            for (UUID product : jdbc.sql("select product_id from provisioning_connector_product where connector_id = :c").param("c", connector)
                    .query(UUID.class).list()) {
                stillHolding.addAll(licences.holding(persons, product, today));
            }
            Set<UUID> active = Set.copyOf(jdbc.sql("select person_id from provisioned_account where connector_id = :c and active and person_id = any(:p)")
                    .param("c", connector).param("p", persons.toArray(UUID[]::new)).query(UUID.class).list());
            ops.stream().filter(o -> !stillHolding.contains(o.person()) && active.contains(o.person())).forEach(o -> deactivations.add(o.id()));
        });
        if (!deactivations.isEmpty()) {
            jdbc.sql("update provisioning_operation set kind = 'DEACTIVATE' where id = any(:ids)").param("ids", deactivations.toArray(Long[]::new)).update();
            brake.check();
        }
    }

    /** Operations of one kind for these persons at one connector. */
    void enqueue(UUID connector, Collection<UUID> persons, String kind, String cause) {
        if (persons.isEmpty()) {
            return;
        }
        jdbc.sql("""
                        insert into provisioning_operation (connector_id, person_id, kind, cause)
                        select :c, p, :kind, :cause from unnest(:p) with ordinality i(p, n) order by n""")
                .param("c", connector).param("p", inBatchOrder(persons).toArray(UUID[]::new)).param("kind", kind).param("cause", cause).update();
    }

    /**
     * A SYNC for the person at every connector of the supplier (null: of every supplier): each serves only that
     * supplier's products. Where the person has no account and may get none, the SYNC changes nothing; one that would
     * deactivate becomes a DEACTIVATE at push time, behind the deletion brake.
     */
    int enqueueForSupplier(UUID person, UUID supplier, String cause) {
        return jdbc.sql("""
                        insert into provisioning_operation (connector_id, person_id, kind, cause)
                        select c.id, :p, 'SYNC', :cause from provisioning_connector c
                        where cast(:s as uuid) is null or c.supplier_id = :s
                        order by c.id
                        """)
                .param("p", person).param("s", supplier).param("cause", cause).update();
    }

    /** Whether any connector holds an account for anyone. */
    boolean anyAccount() {
        return jdbc.sql("select exists (select 1 from provisioned_account)").query(Boolean.class).single();
    }

    /**
     * A SYNC for each active account of these persons at the connectors that serve the product: what may go about them to
     * it changed (an agreement), so what the supplier holds is brought in line at the next push.
     */
    int enqueueForProduct(Collection<UUID> persons, UUID product, String cause) {
        if (persons.isEmpty()) {
            return 0;
        }
        return jdbc.sql("""
                        insert into provisioning_operation (connector_id, person_id, kind, cause)
                        select a.connector_id, a.person_id, 'SYNC', :cause from provisioned_account a
                        where a.active and a.person_id = any(:p)
                          and exists (select 1 from provisioning_connector_product cp where cp.connector_id = a.connector_id and cp.product_id = :product)
                        order by a.connector_id, a.person_id
                        """)
                .param("p", persons.toArray(UUID[]::new)).param("product", product).param("cause", cause).update();
    }

    /** Operations for these persons at every connector where they have an account (active ones only, if asked). */
    int enqueueForAccounts(Collection<UUID> persons, String kind, String cause, boolean activeOnly) {
        if (persons.isEmpty()) {
            return 0;
        }
        int queued = jdbc.sql("""
                        insert into provisioning_operation (connector_id, person_id, kind, cause)
                        select a.connector_id, a.person_id, :kind, :cause from provisioned_account a
                        where a.person_id = any(:p) and (a.active or not :activeOnly)
                        order by a.connector_id, a.person_id
                        """)
                .param("p", persons.toArray(UUID[]::new)).param("kind", kind).param("cause", cause).param("activeOnly", activeOnly).update();
        if (queued > 0 && !kind.equals("SYNC")) {
            brake.check();
        }
        return queued;
    }
}
