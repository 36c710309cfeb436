package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.scim2.common.GenericScimResource;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.access.AttributePackage;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.licensing.LicencePools;

/**
 * A revoked data-access agreement reaches the supplier at once, against UnboundID's SCIM server: the names and e-mail
 * pushed under it are taken back from the accounts of the persons it covered, without waiting for an unrelated change.
 */
class AgreementSyncTest extends IntegrationTest {

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired Connectors connectors;
    @Autowired DataAccessAgreements agreements;

    @Test
    void aRevokedAgreementTakesItsNamesBackFromTheSupplierAtOnce() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        UUID person = fx.persons.get(6);
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            var agreement = agreements.approve(agreements.file(fx.supplierId, fx.request(AttributePackage.MEDIUM), "supplier").id(), null, null, "school");
            UUID connector = connectors.create(new Connector.Settings(fx.supplierId, "Avtal", supplier.baseUrl(), Connector.Auth.BEARER,
                    supplier.token, null, null, null, null, List.of(fx.productId), true, 100.0), "test").id();
            await().atMost(Duration.ofSeconds(30)).until(() -> givenName(supplier, connector, person) != null);

            agreements.revoke(agreement.id(), "Avtalet sades upp", "school");
            assertThat(jdbc.sql("select count(*) from provisioning_operation where connector_id = :c and person_id = :p and cause = 'AGREEMENT_REVOKED'")
                    .param("c", connector).param("p", person).query(Long.class).single()).as("queued with the revocation").isEqualTo(1);
            await().atMost(Duration.ofSeconds(30)).until(() -> givenName(supplier, connector, person) == null);
        }
    }

    /** The given name the supplier holds for the person's account; null when it holds none (or no account). */
    private String givenName(ScimTestServer supplier, UUID connector, UUID person) {
        String scimId = jdbc.sql("select scim_id from provisioned_account where connector_id = :c and person_id = :p").param("c", connector)
                .param("p", person).query(String.class).optional().orElse(null);
        GenericScimResource user = scimId == null ? null : supplier.users.store.get(scimId);
        if (user == null) {
            return null;
        }
        String given = user.getObjectNode().path("name").path("givenName").asText(null);
        return given == null || given.isBlank() ? null : given;
    }
}
