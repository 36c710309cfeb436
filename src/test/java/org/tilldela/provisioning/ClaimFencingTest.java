package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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
import org.tilldela.licensing.LicencePools;

/**
 * A worker whose lease ran out while it worked through a long batch: the operation it still holds was taken
 * over (one attempt more), so the late worker neither sends it (renew says no) nor settles it over the new owner, nor
 * records an account (or its deletion) over what the new owner finds and records.
 */
class ClaimFencingTest extends IntegrationTest {

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired Connectors connectors;
    @Autowired Queue queue;

    @Test
    void aLateWorkerNeitherSendsNorSettlesAnOperationTakenOverFromIt() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID));
        // paused: the server's own workers leave its operations alone, this test plays both workers
        UUID connector = connectors.create(new Connector.Settings(fx.supplierId, "Avstängd", "https://scim.paused.example/v2", Connector.Auth.BEARER,
                "token", null, null, null, null, List.of(product), false), "test").id();
        UUID person = fx.persons.get(0);
        long id = jdbc.sql("""
                        insert into provisioning_operation (connector_id, person_id, kind, cause, state, attempts, lease_until)
                        values (:c, :p, 'SYNC', 'test', 'IN_FLIGHT', 1, now() - interval '1 second') returning id""")
                .param("c", connector).param("p", person).query(Long.class).single();
        Queue.Op first = new Queue.Op(id, connector, person, "SYNC", "test", 1, null);
        // the lease ran out and another worker claimed it: one attempt more
        jdbc.sql("update provisioning_operation set attempts = 2, lease_until = now() + interval '5 minutes' where id = :id").param("id", id).update();
        Queue.Op second = new Queue.Op(id, connector, person, "SYNC", "test", 2, null);

        assertThat(queue.renew(first, Duration.ofMinutes(5))).as("the late worker sends nothing").isFalse();
        queue.dead(first, "late failure");
        queue.retry(first, Duration.ofSeconds(1), "late failure");
        queue.putBack(List.of(first), Duration.ofSeconds(1));
        Queue.Account late = new Queue.Account("late-" + UUID.randomUUID(), "ext-" + UUID.randomUUID(), true, "digest");
        queue.remember(first, late);
        queue.done(first, late);
        queue.doneAll(List.of(new Queue.Settled(first, late)));
        queue.deleted(first);
        assertThat(state(id)).as("untouched by the late worker").isEqualTo("IN_FLIGHT:2");
        assertThat(queue.account(connector, person)).as("no account recorded over the new owner's").isEmpty();

        assertThat(queue.renew(second, Duration.ofMinutes(5))).isTrue();
        Queue.Account found = new Queue.Account("found-" + UUID.randomUUID(), late.externalId(), true, "digest");
        queue.done(second, found);
        assertThat(state(id)).isEqualTo("DONE:2");
        assertThat(queue.account(connector, person)).contains(found);
    }

    private String state(long id) {
        return jdbc.sql("select state || ':' || attempts from provisioning_operation where id = :id").param("id", id).query(String.class).single();
    }
}
