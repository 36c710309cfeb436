package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.tilldela.platform.TestCertificates;

/**
 * A connector's stored secret goes only where it went before: a new address or client id needs the secret given
 * again, a connector never changes supplier, and the audit trail shows where the data now goes.
 */
class ConnectorChangeTest extends IntegrationTest {

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired Connectors connectors;

    @Test
    void aNewAddressNeedsTheSecretAgainAndTheSupplierNeverChanges() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID));
        String first = "https://scim.supplier-" + UUID.randomUUID().toString().substring(0, 6) + ".example/v2";
        UUID id = connectors.create(settings(fx.supplierId, "Bärare", first, Connector.Auth.BEARER, "first-token", null, null, null, product), "test").id();
        byte[] stored = bearer(id);

        // the same address: the token stays
        connectors.change(id, settings(fx.supplierId, "Bärare, nytt namn", first, Connector.Auth.BEARER, null, null, null, null, product), "test");
        assertThat(bearer(id)).isEqualTo(stored);

        // another address without the token: refused, nothing changed
        String elsewhere = "https://elsewhere.example/scim";
        assertThatThrownBy(() -> connectors.change(id, settings(fx.supplierId, "Bärare", elsewhere, Connector.Auth.BEARER, null, null, null, null, product),
                "test")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bearerToken");
        assertThat(jdbc.sql("select base_url from provisioning_connector where id = :id").param("id", id).query(String.class).single()).isEqualTo(first);

        // another address with a token given again: changed, and the audit trail says from where to where
        connectors.change(id, settings(fx.supplierId, "Bärare", elsewhere, Connector.Auth.BEARER, "second-token", null, null, null, product), "test");
        assertThat(bearer(id)).isNotEqualTo(stored);
        String detail = jdbc.sql("""
                        select detail::text from audit_event where action = 'PROVISIONING_CONNECTOR_CHANGED' and target_id = :id order by id desc limit 1""")
                .param("id", id.toString()).query(String.class).single();
        assertThat(detail).contains(first).contains(elsewhere).doesNotContain("second-token");

        // never another supplier's connector
        assertThatThrownBy(() -> connectors.change(id, settings(UUID.randomUUID(), "Bärare", elsewhere, Connector.Auth.BEARER, "x-token", null, null, null,
                product), "test")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("supplier cannot change");

        // client credentials: a new client id (or token address) needs the secret again
        String tokenUrl = "https://login.supplier.example/token";
        UUID oauth = connectors.create(settings(fx.supplierId, "Klient", first, Connector.Auth.OAUTH_CLIENT_CREDENTIALS, null, tokenUrl, "tilldela",
                "client-secret", product), "test").id();
        assertThatThrownBy(() -> connectors.change(oauth, settings(fx.supplierId, "Klient", first, Connector.Auth.OAUTH_CLIENT_CREDENTIALS, null, tokenUrl,
                "someone-else", null, product), "test")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clientSecret");
        assertThatThrownBy(() -> connectors.change(oauth, settings(fx.supplierId, "Klient", first, Connector.Auth.OAUTH_CLIENT_CREDENTIALS, null,
                "https://attacker.example/token", "tilldela", null, product), "test")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clientSecret");
        connectors.change(oauth, settings(fx.supplierId, "Klient, omdöpt", first, Connector.Auth.OAUTH_CLIENT_CREDENTIALS, null, tokenUrl, "tilldela", null,
                product), "test");
    }

    @Test
    void aNewTrustedCaNeedsTheSecretAgain() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID));
        String url = "https://scim.supplier-" + UUID.randomUUID().toString().substring(0, 6) + ".example/v2";
        String supplierCa = new TestCertificates.Authority("Leverantörens CA").pem();
        String otherCa = new TestCertificates.Authority("En annan CA").pem();
        UUID id = connectors.create(withCa(fx.supplierId, url, Connector.Auth.BEARER, "first-token", null, null, null, product, supplierCa), "test").id();
        byte[] stored = bearer(id);
        String storedCa = serverCa(id);

        // the same CA given again, token left out: kept
        connectors.change(id, withCa(fx.supplierId, url, Connector.Auth.BEARER, null, null, null, null, product, supplierCa), "test");
        assertThat(bearer(id)).isEqualTo(stored);

        // another CA, same address, without the token: refused naming the field, nothing saved
        assertThatThrownBy(() -> connectors.change(id, withCa(fx.supplierId, url, Connector.Auth.BEARER, null, null, null, null, product, otherCa), "test"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bearerToken").hasMessageContaining("serverCa");
        assertThat(serverCa(id)).isEqualTo(storedCa);
        assertThat(bearer(id)).isEqualTo(stored);
        // with the token given again: saved
        connectors.change(id, withCa(fx.supplierId, url, Connector.Auth.BEARER, "second-token", null, null, null, product, otherCa), "test");
        assertThat(serverCa(id)).isNotEqualTo(storedCa);
        assertThat(bearer(id)).isNotEqualTo(stored);

        // client credentials: the same for the client secret
        String tokenUrl = "https://login.supplier.example/token";
        UUID oauth = connectors.create(withCa(fx.supplierId, url, Connector.Auth.OAUTH_CLIENT_CREDENTIALS, null, tokenUrl, "tilldela", "client-secret",
                product, supplierCa), "test").id();
        String oauthCa = serverCa(oauth);
        assertThatThrownBy(() -> connectors.change(oauth, withCa(fx.supplierId, url, Connector.Auth.OAUTH_CLIENT_CREDENTIALS, null, tokenUrl, "tilldela",
                null, product, otherCa), "test")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clientSecret");
        assertThat(serverCa(oauth)).isEqualTo(oauthCa);
        connectors.change(oauth, withCa(fx.supplierId, url, Connector.Auth.OAUTH_CLIENT_CREDENTIALS, null, tokenUrl, "tilldela", "new-secret", product,
                otherCa), "test");
        assertThat(serverCa(oauth)).isNotEqualTo(oauthCa);
    }

    private static Connector.Settings withCa(UUID supplier, String baseUrl, Connector.Auth auth, String bearer, String tokenUrl, String clientId,
                                             String secret, UUID product, String serverCa) {
        return new Connector.Settings(supplier, "Med egen CA", baseUrl, auth, bearer, tokenUrl, clientId, secret, null, List.of(product), true, null,
                null, null, null, serverCa);
    }

    private String serverCa(UUID id) {
        return jdbc.sql("select server_ca from provisioning_connector where id = :id").param("id", id).query(String.class).single();
    }

    private static Connector.Settings settings(UUID supplier, String name, String baseUrl, Connector.Auth auth, String bearer, String tokenUrl,
                                               String clientId, String secret, UUID product) {
        return new Connector.Settings(supplier, name, baseUrl, auth, bearer, tokenUrl, clientId, secret, null, List.of(product), true);
    }

    private byte[] bearer(UUID id) {
        return jdbc.sql("select bearer_token from provisioning_connector where id = :id").param("id", id).query(byte[].class).single();
    }
}
