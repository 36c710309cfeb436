package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.ledger.DeletionChannel;
import org.tilldela.ledger.DeletionReceipt;
import org.tilldela.ledger.Retention;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.NewPool;

/**
 * Deletion with receipts over SCIM, against UnboundID's SCIM server: after the retention deadline the user is
 * deleted at the supplier and the holding is confirmed deleted, with the supplier's answer as its receipt (204;
 * or 404 when the supplier no longer held the user).
 */
class ScimDeletionTest extends IntegrationTest {

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired Connectors connectors;
    @Autowired DeletionRequests deletions;
    @Autowired Retention retention;
    @Autowired DeadLetters deadLetters;

    @Test
    void afterTheRetentionDeadlineTheUserIsDeletedAtTheSupplierAndTheReceiptKept() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        UUID kept = fx.persons.get(5);
        UUID deleted = fx.persons.get(6);
        UUID goneBefore = fx.persons.get(7);
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ROLES));
            UUID connector = connectors.create(new Connector.Settings(fx.supplierId, "Gallring", supplier.baseUrl(), Connector.Auth.BEARER,
                    supplier.token, null, null, null, null, List.of(product), true, 100.0), "test").id(); // no brake here: DeletionBrakeTest
            UUID pool = pools.create(new NewPool(product, fx.organiserId, fx.organiserId, 100, LocalDate.now().minusDays(1), LocalDate.now().plusYears(1),
                    false, null, "test"));
            pools.assignDirect(pool, List.of(kept, deleted, goneBefore), "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> supplier.users.store.size() == 3);

            // two licences end: their accounts are deactivated at once, and their retention runs from today
            pools.withdrawDirect(pool, deleted, "test");
            pools.withdrawDirect(pool, goneBefore, "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> !active(connector, deleted) && !active(connector, goneBefore));
            assertThat(supplier.users.store).hasSize(3);
            // nothing is due yet: the deadline is ended-on + the product's retention days (30)
            assertThat(deletions.request(LocalDate.now(), connector)).isZero();

            // the supplier removed one user on its own meanwhile; then the deadline passes (as if 40 days had gone)
            supplier.users.store.remove(scimId(connector, goneBefore));
            retention.relationEnded(deleted, product, LocalDate.now().minusDays(40));
            retention.relationEnded(goneBefore, product, LocalDate.now().minusDays(40));
            assertThat(deletions.request(LocalDate.now(), connector)).isEqualTo(2);
            assertThat(deletions.request(LocalDate.now(), connector)).as("queued once").isZero();

            await().atMost(Duration.ofSeconds(20)).until(() -> state(deleted, product).equals("CONFIRMED") && state(goneBefore, product).equals("CONFIRMED"));
            assertThat(supplier.users.store).hasSize(1);
            assertThat(supplier.users.store.values().iterator().next().getObjectNode().path("active").asBoolean()).isTrue(); // the one still licensed

            DeletionReceipt receipt = retention.deletionReceipt(deleted, fx.supplierId, product).orElseThrow();
            assertThat(receipt.channel()).isEqualTo(DeletionChannel.SCIM);
            assertThat(receipt.answerStatus()).isEqualTo(204);
            assertThat(receipt.sentAt()).isNotNull();
            assertThat(receipt.confirmedAt()).isNotNull().isAfterOrEqualTo(receipt.sentAt());
            DeletionReceipt notThere = retention.deletionReceipt(goneBefore, fx.supplierId, product).orElseThrow();
            assertThat(notThere.answerStatus()).isEqualTo(404);
            assertThat(notThere.confirmedAt()).isNotNull();
            // no account left to deactivate or delete; a new licence would make a new one (forgotten once the worker has
            // recorded the answer as the receipt, in its own transaction a moment after)
            await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.sql("select count(*) from provisioned_account where connector_id = :c and person_id in (:a, :b)")
                    .param("c", connector).param("a", deleted).param("b", goneBefore).query(Long.class).single() == 0);
            assertThat(retention.deletionsDue(LocalDate.now())).noneMatch(d -> d.productId().equals(product));
            assertThat(deletions.request(LocalDate.now(), connector)).isZero();
        }
    }

    @Test
    void aSupplierThatFailsTheDeleteKeepsTheRequestOpenWithItsAnswer() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        UUID person = fx.persons.get(8);
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ROLES));
            UUID connector = connectors.create(new Connector.Settings(fx.supplierId, "Gallring som fallerar", supplier.baseUrl(), Connector.Auth.BEARER,
                    supplier.token, null, null, null, null, List.of(product), true, 100.0), "test").id(); // no brake here: DeletionBrakeTest
            UUID pool = pools.create(new NewPool(product, fx.organiserId, fx.organiserId, 100, LocalDate.now().minusDays(1), LocalDate.now().plusYears(1),
                    false, null, "test"));
            pools.assignDirect(pool, List.of(person), "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> supplier.users.store.size() == 1);
            pools.withdrawDirect(pool, person, "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> !active(connector, person));

            supplier.users.failDeletes = true; // the supplier answers 500 to every DELETE
            retention.relationEnded(person, product, LocalDate.now().minusDays(40));
            assertThat(deletions.request(LocalDate.now(), connector)).isEqualTo(1);
            await().atMost(Duration.ofSeconds(30)).until(() -> "DEAD".equals(jdbc.sql("select state from provisioning_operation where connector_id = :c and kind = 'DELETE'")
                    .param("c", connector).query(String.class).single()));
            assertThat(state(person, product)).isEqualTo("REQUESTED");
            DeletionReceipt receipt = retention.deletionReceipt(person, fx.supplierId, product).orElseThrow();
            assertThat(receipt.answerStatus()).isEqualTo(500);
            assertThat(receipt.confirmedAt()).isNull();
            assertThat(supplier.users.store).hasSize(1);

            // fixed, and the dead letter replayed: deleted and confirmed
            supplier.users.failDeletes = false;
            jdbc.sql("update provisioning_connector set backoff_until = null where id = :c").param("c", connector).update();
            assertThat(deadLetters.replayAll(connector, "test")).isEqualTo(1);
            await().atMost(Duration.ofSeconds(20)).until(() -> state(person, product).equals("CONFIRMED"));
            assertThat(supplier.users.store).isEmpty();
            assertThat(retention.deletionReceipt(person, fx.supplierId, product).orElseThrow().answerStatus()).isEqualTo(204);
        }
    }

    /**
     * Two nodes queue the day's deletions at the same moment (the nightly job runs on each): every deletion is queued
     * once. Made deterministic by holding the deletion brake's lock from the test while both start: they wait for it
     * before queueing anything, and the second then finds the first's deletions queued.
     */
    @Test
    void twoNodesQueueingAtOnceQueueEachDeletionOnce() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        List<UUID> leaving = List.of(fx.persons.get(9), fx.persons.get(10));
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ROLES));
            UUID connector = connectors.create(new Connector.Settings(fx.supplierId, "Gallring på två noder", supplier.baseUrl(), Connector.Auth.BEARER,
                    supplier.token, null, null, null, null, List.of(product), true, 100.0), "test").id();
            UUID pool = pools.create(new NewPool(product, fx.organiserId, fx.organiserId, 100, LocalDate.now().minusDays(1), LocalDate.now().plusYears(1),
                    false, null, "test"));
            pools.assignDirect(pool, leaving, "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> supplier.users.store.size() == 2);
            for (UUID person : leaving) {
                pools.withdrawDirect(pool, person, "test");
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> leaving.stream().noneMatch(p -> active(connector, p)));
            supplier.users.failDeletes = true; // the DELETEs stay where they are counted
            for (UUID person : leaving) {
                retention.relationEnded(person, product, LocalDate.now().minusDays(40));
            }

            java.util.concurrent.ExecutorService nodes = java.util.concurrent.Executors.newFixedThreadPool(2);
            try (java.sql.Connection holder = dataSource.getConnection()) {
                holder.setAutoCommit(false);
                try (var lock = holder.prepareStatement("select pg_advisory_xact_lock(hashtextextended('provisioning-deletion-brake', 0))")) {
                    lock.execute();
                }
                var first = nodes.submit(() -> deletions.request(LocalDate.now(), connector));
                var second = nodes.submit(() -> deletions.request(LocalDate.now(), connector));
                await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.sql("select count(*) from pg_locks where locktype = 'advisory' and not granted")
                        .query(Integer.class).single() >= 2);
                holder.commit();
                assertThat(first.get() + second.get()).isEqualTo(2);
            } finally {
                nodes.shutdown();
            }
            assertThat(jdbc.sql("select count(*) from provisioning_operation where connector_id = :c and kind = 'DELETE'").param("c", connector)
                    .query(Integer.class).single()).as("each deletion queued once").isEqualTo(2);
        }
    }

    @Autowired javax.sql.DataSource dataSource;

    private boolean active(UUID connector, UUID person) {
        return jdbc.sql("select active from provisioned_account where connector_id = :c and person_id = :p").param("c", connector).param("p", person)
                .query(Boolean.class).optional().orElse(true);
    }

    private String scimId(UUID connector, UUID person) {
        return jdbc.sql("select scim_id from provisioned_account where connector_id = :c and person_id = :p").param("c", connector).param("p", person)
                .query(String.class).single();
    }

    private String state(UUID person, UUID product) {
        return jdbc.sql("select coalesce(deletion_state, '') from holding where person_id = :p and product_id = :q").param("p", person).param("q", product)
                .query(String.class).single();
    }
}
