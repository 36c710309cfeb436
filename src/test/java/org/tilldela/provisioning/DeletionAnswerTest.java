package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchException;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.ledger.Channel;
import org.tilldela.ledger.DeletionReceipt;
import org.tilldela.ledger.Retention;
import org.tilldela.licensing.LicencePools;

/**
 * A deletion's receipt holds only the answer actually received: a DELETE that returned without an HTTP answer
 * captured is not a confirmation (no 204 nobody saw) — it is recorded as no answer, and the operation retried.
 */
class DeletionAnswerTest extends IntegrationTest {

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired ReleasePolicy policy;
    @Autowired Retention retention;
    @Autowired DeletionRequests deletions;

    @Test
    void aDeleteWithoutACapturedAnswerIsNotConfirmedAndIsRetried() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        UUID person = fx.persons.get(3);
        UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ROLES));
        fx.license(product, List.of(person));
        policy.release(person, product, Channel.SCIM_PUSH); // the supplier holds data about the person: a holding
        assertThat(retention.deletionRequested(person, fx.supplierId, product, Instant.now())).isTrue();
        Queue.Op op = new Queue.Op(-1, UUID.randomUUID(), person, "DELETE", "RETENTION_ENDED", 1, product);

        Exception failed = catchException(() -> deletions.returned(op, fx.supplierId, null));
        assertThat(failed).as("no answer: the operation fails").isNotNull();
        assertThat(ProvisioningWorker.Failure.of(failed, null).retriable()).as("and is retried").isTrue();
        DeletionReceipt receipt = retention.deletionReceipt(person, fx.supplierId, product).orElseThrow();
        assertThat(receipt.confirmedAt()).as("not confirmed").isNull();
        assertThat(receipt.confirmed()).isFalse();
        assertThat(receipt.answerStatus()).as("no status was received").isZero();
        assertThat(holdingState(person, product)).isEqualTo("REQUESTED");

        // the retry's answer, as received, confirms it
        deletions.returned(op, fx.supplierId, new ScimClient.Answer(204, "No Content"));
        DeletionReceipt confirmed = retention.deletionReceipt(person, fx.supplierId, product).orElseThrow();
        assertThat(confirmed.answerStatus()).isEqualTo(204);
        assertThat(confirmed.confirmedAt()).isNotNull();
        assertThat(holdingState(person, product)).isEqualTo("CONFIRMED");
    }

    private String holdingState(UUID person, UUID product) {
        return jdbc.sql("select coalesce(deletion_state, '') from holding where person_id = :p and product_id = :q").param("p", person).param("q", product)
                .query(String.class).single();
    }
}
