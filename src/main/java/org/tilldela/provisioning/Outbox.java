package org.tilldela.provisioning;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The outbox's writing side: operations are inserted in the caller's transaction, so a licence granted and the
 * operation that tells the supplier commit together, or neither does. Licence events of one transaction (a
 * recompute may grant thousands) are gathered and written in one statement just before it commits.
 */
@Component
class Outbox {

    private final JdbcClient jdbc;
    private final DeletionBrake brake;

    Outbox(JdbcClient jdbc, DeletionBrake brake) {
        this.jdbc = jdbc;
        this.brake = brake;
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

    /** One SYNC per connector and person, whatever number of that person's products changed. */
    void enqueueForProducts(Collection<ProductChange> changes) {
        if (changes.isEmpty()) {
            return;
        }
        jdbc.sql("""
                        insert into provisioning_operation (connector_id, person_id, kind, cause)
                        select distinct on (cp.connector_id, i.person) cp.connector_id, i.person, 'SYNC', i.cause
                        from unnest(:persons, :products, :causes) with ordinality i(person, product, cause, n)
                        join provisioning_connector_product cp on cp.product_id = i.product
                        order by cp.connector_id, i.person, i.n desc
                        """)
                .param("persons", changes.stream().map(ProductChange::personId).toArray(UUID[]::new))
                .param("products", changes.stream().map(ProductChange::productId).toArray(UUID[]::new))
                .param("causes", changes.stream().map(ProductChange::cause).toArray(String[]::new)).update();
    }

    /** Operations of one kind for these persons at one connector. */
    void enqueue(UUID connector, Collection<UUID> persons, String kind, String cause) {
        if (persons.isEmpty()) {
            return;
        }
        jdbc.sql("insert into provisioning_operation (connector_id, person_id, kind, cause) select :c, unnest(:p), :kind, :cause")
                .param("c", connector).param("p", persons.toArray(UUID[]::new)).param("kind", kind).param("cause", cause).update();
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
