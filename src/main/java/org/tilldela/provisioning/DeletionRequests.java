package org.tilldela.provisioning;

import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.types.UserResource;
import jakarta.ws.rs.ProcessingException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.ledger.DeletionDue;
import org.tilldela.ledger.Retention;

/**
 * Deletion with receipts over SCIM (gallring): once a holding's retention deadline has passed, the connector
 * that serves its product gets a DELETE of the person's user, and every answer the supplier gives becomes the
 * holding's receipt in the ledger — sent when, the HTTP status, confirmed when (204, or 404: the supplier holds
 * nothing under that id). A DELETE goes through the outbox like any operation: retried with backoff, a dead
 * letter at last, replayable; and behind the connector's deletion brake.
 *
 * <p>Only accounts Tilldela made at that connector are deleted this way, and only inactive ones: an active account
 * means the person still holds another licence the connector serves, and its data is still needed (the holding
 * stays overdue, on the data protection officer's list). A supplier without SCIM confirms through its API door.
 */
@Component
class DeletionRequests {

    private static final Logger log = LoggerFactory.getLogger(DeletionRequests.class);

    private final JdbcClient jdbc;
    private final Retention retention;
    private final Queue queue;
    private final DeletionBrake brake;
    private final org.springframework.transaction.support.TransactionTemplate transaction;

    DeletionRequests(JdbcClient jdbc, Retention retention, Queue queue, DeletionBrake brake,
                     org.springframework.transaction.PlatformTransactionManager transactions) {
        this.brake = brake;
        this.transaction = new org.springframework.transaction.support.TransactionTemplate(transactions);
        this.jdbc = jdbc;
        this.retention = retention;
        this.queue = queue;
    }

    /** Daily (by default at 02:20): the deletions due today go into the outbox. */
    @Scheduled(cron = "${tilldela.provisioning.deletion-cron:0 20 2 * * *}")
    void daily() {
        int queued = request(LocalDate.now());
        if (queued > 0) {
            log.info("Provisioning: {} deletion requests queued", queued);
        }
    }

    /** Queues a DELETE for every deletion due on {@code today} that a SCIM connector can send; answers how many. */
    int request(LocalDate today) {
        return request(today, null);
    }

    /**
     * As {@link #request(LocalDate)}, for one connector only (null: all). One transaction (also from the nightly job, a
     * call within this class that an annotation would not reach), under the deletion brake's lock from before the
     * deletions are queued to after the brake's check: a worker never sees them unheld, and two nodes at 02:20 queue
     * each deletion once — the second waits, and then finds them queued.
     */
    int request(LocalDate today, UUID onlyConnector) {
        return transaction.execute(status -> queueDue(today, onlyConnector));
    }

    private int queueDue(LocalDate today, UUID onlyConnector) {
        List<DeletionDue> due = retention.deletionsDue(today);
        if (due.isEmpty()) {
            return 0;
        }
        brake.lock();
        int queued = jdbc.sql("insert into provisioning_operation (connector_id, person_id, product_id, kind, cause) select c.id, d.person, d.product, 'DELETE', 'RETENTION_ENDED'"
                        + DUE + " order by c.id, d.person")
                .param("persons", due.stream().map(DeletionDue::personId).toArray(UUID[]::new))
                .param("suppliers", due.stream().map(DeletionDue::supplierId).toArray(UUID[]::new))
                .param("products", due.stream().map(DeletionDue::productId).toArray(UUID[]::new))
                .param("only", onlyConnector).update();
        if (queued > 0) {
            brake.check();
        }
        return queued;
    }

    /** How many deletions due on {@code today} the connector would be sent that are not queued yet (a reconciliation's plan). */
    @Transactional(readOnly = true)
    int notYetRequested(LocalDate today, UUID connector) {
        List<DeletionDue> due = retention.deletionsDue(today);
        if (due.isEmpty()) {
            return 0;
        }
        return jdbc.sql("select count(*)" + DUE)
                .param("persons", due.stream().map(DeletionDue::personId).toArray(UUID[]::new))
                .param("suppliers", due.stream().map(DeletionDue::supplierId).toArray(UUID[]::new))
                .param("products", due.stream().map(DeletionDue::productId).toArray(UUID[]::new))
                .param("only", connector).query(Integer.class).single();
    }

    // the holdings due that a connector serves, of accounts made there and inactive; a holding already queued (or
    // dead-lettered, waiting for an administrator) is not queued again
    private static final String DUE = """

            from unnest(:persons, :suppliers, :products) d(person, supplier, product)
            join provisioning_connector c on c.supplier_id = d.supplier and (cast(:only as uuid) is null or c.id = :only)
            join provisioning_connector_product cp on cp.connector_id = c.id and cp.product_id = d.product
            join provisioned_account a on a.connector_id = c.id and a.person_id = d.person and not a.active
            where not exists (select 1 from provisioning_operation o
                              where o.connector_id = c.id and o.person_id = d.person and o.product_id = d.product
                                and o.kind = 'DELETE' and o.state in ('PENDING', 'IN_FLIGHT', 'DEAD'))
            """;

    /**
     * Sends one DELETE and records it and the answer in the holding's receipt. Returns normally when the deletion is
     * confirmed; throws (for a retry or a dead letter) when it is not, after recording the answer. False, and nothing
     * sent, when the account is active again: a licence given back to the person after the DELETE was queued (their SYNC,
     * earlier in the queue, has made it active) — deleting it would leave a licence holder without an account.
     */
    boolean send(ScimClient scim, Queue.Op op) throws ScimException {
        UUID supplier = queue.supplierOf(op.connectorId());
        Queue.Account account = queue.account(op.connectorId(), op.personId()).orElse(null);
        if (account == null) {
            throw new ProvisioningWorker.Refused("no account of this person is known at the connector: the supplier confirms through its API door");
        }
        if (account.active()) {
            return false;
        }
        // by externalId (the pairwise pseudonym), in case the supplier re-made the user under another id
        // (an EGIL server keeps users under their UUID and need not offer filters: the id we know is the one)
        UserResource found = scim.endpoint().egil() ? null : scim.findByExternalId(account.externalId());
        String id = found != null ? found.getId() : account.scimId();
        retention.deletionRequested(op.personId(), supplier, op.productId(), Instant.now());
        ScimClient.LAST_ANSWER.remove();
        ScimClient.Answer answer;
        try {
            scim.deleteUser(id);
            answer = ScimClient.LAST_ANSWER.get();
        } catch (ScimException e) {
            int status = e.getScimError() == null || e.getScimError().getStatus() == null ? 0 : e.getScimError().getStatus();
            // the reason phrase or scimType only: a SCIM error's detail may echo the user
            ScimClient.Answer refusal = ScimClient.LAST_ANSWER.get();
            String text = e.getScimError() != null && e.getScimError().getScimType() != null ? e.getScimError().getScimType()
                    : refusal != null ? refusal.reason() : null;
            retention.deletionAnswered(op.personId(), supplier, op.productId(), Instant.now(), status, text, status == 404);
            if (status != 404) {
                throw e;
            }
            return true;
        } catch (RuntimeException e) {
            // no answer came (timeout, refused connection)
            retention.deletionAnswered(op.personId(), supplier, op.productId(), Instant.now(), 0, e.getClass().getSimpleName(), false);
            throw e;
        }
        returned(op, supplier, answer);
        return true;
    }

    /**
     * The DELETE returned without an error: its receipt is the answer as received. No answer captured means
     * nothing is known of what the supplier did — never recorded as a confirmation (a 204 nobody saw), but as
     * no answer, and retried.
     */
    void returned(Queue.Op op, UUID supplier, ScimClient.Answer answer) {
        if (answer == null) {
            retention.deletionAnswered(op.personId(), supplier, op.productId(), Instant.now(), 0, "no answer received", false);
            throw new ProcessingException("the DELETE returned without an answer from the supplier: not confirmed, sent again");
        }
        retention.deletionAnswered(op.personId(), supplier, op.productId(), Instant.now(), answer.status(), answer.reason(), true);
    }
}
