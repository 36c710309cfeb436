package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.scim2.common.GenericScimResource;
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
import org.tilldela.access.ReleaseObjections;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.NewPool;

/**
 * An objection (invändning) towards a supplier reaches the supplier at once, against UnboundID's SCIM server: the
 * person's account there is deactivated without waiting for an unrelated change; withdrawn, it is active again.
 */
class ObjectionSyncTest extends IntegrationTest {

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired Connectors connectors;
    @Autowired ReleaseObjections objections;

    @Test
    void anObjectionDeactivatesTheAccountAtTheSupplierAndItsWithdrawalRestoresIt() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        UUID objecting = fx.persons.get(4);
        UUID other = fx.persons.get(5);
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ROLES));
            UUID connector = connectors.create(new Connector.Settings(fx.supplierId, "Invändning", supplier.baseUrl(), Connector.Auth.BEARER,
                    supplier.token, null, null, null, null, List.of(product), true, 100.0), "test").id(); // no brake here: DeletionBrakeTest
            UUID pool = pools.create(new NewPool(product, fx.organiserId, fx.organiserId, 100, LocalDate.now().minusDays(1), LocalDate.now().plusYears(1),
                    false, null, "test"));
            pools.assignDirect(pool, List.of(objecting, other), "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> supplier.users.store.size() == 2 && active(supplier, connector, objecting));

            UUID objection = objections.record(objecting, fx.supplierId, "Vårdnadshavaren invänder", "test");
            assertThat(jdbc.sql("select count(*) from provisioning_operation where connector_id = :c and person_id = :p and cause = 'OBJECTION_RECORDED'")
                    .param("c", connector).param("p", objecting).query(Long.class).single()).as("queued with the objection").isEqualTo(1);
            // the supplier answers before the worker records its answer: wait for both
            await().atMost(Duration.ofSeconds(20)).until(() -> !active(supplier, connector, objecting)
                    && !jdbc.sql("select active from provisioned_account where connector_id = :c and person_id = :p").param("c", connector)
                    .param("p", objecting).query(Boolean.class).single());
            assertThat(active(supplier, connector, other)).as("the others are untouched").isTrue();

            objections.withdraw(objection, "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> active(supplier, connector, objecting));
        }
    }

    /** The supplier's own record of the person's account: active as the supplier holds it. */
    private boolean active(ScimTestServer supplier, UUID connector, UUID person) {
        String scimId = jdbc.sql("select scim_id from provisioned_account where connector_id = :c and person_id = :p").param("c", connector)
                .param("p", person).query(String.class).optional().orElse(null);
        GenericScimResource user = scimId == null ? null : supplier.users.store.get(scimId);
        return user != null && user.getObjectNode().path("active").asBoolean(false);
    }
}
