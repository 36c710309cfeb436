package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.NewPool;
import org.tilldela.platform.TestCertificates;

/**
 * Mutual TLS against a SCIM server that requires a client certificate (the JDK's HTTPS server, with a CA and
 * certificates made in the test by Bouncy Castle): the connector with a certificate of the CA the supplier trusts
 * gets its users there; without a certificate, or with another CA's, nothing arrives and the failure is visible.
 * The certificate and key are taken by the API, stored encrypted and never shown; changes are audited.
 */
class MutualTlsConnectorTest extends IntegrationTest {

    private static final String PASSWORD = "mtls-api-password-1";
    private static final Set<Attribute> DECLARED = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.SCHOOL_UNIT, Attribute.ROLES, Attribute.GROUPS);
    private static AccessFixture fx;
    private static String admin;

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired AdminAccounts accounts;
    @Autowired AuditTrail audit;

    @BeforeEach
    void fixture() throws Exception {
        if (fx == null) {
            fx = new AccessFixture(imports, jdbc, catalog, pools);
            admin = "mtls-admin-" + fx.source;
            accounts.create(admin, "Provisioning admin", PASSWORD, EnumSet.of(AdminRight.ACCESS_ADMIN), "test");
        }
    }

    private static final java.util.regex.Pattern REFUSED_HANDSHAKE = java.util.regex.Pattern.compile(
            "(?i)ssl|handshake|connection reset|received no bytes|broken pipe");

    @Test
    void onlyAClientCertificateOfTheTrustedCaGetsThrough() throws Exception {
        TestCertificates.Authority federation = new TestCertificates.Authority("Federation CA");
        TestCertificates.Authority stranger = new TestCertificates.Authority("Another CA");
        TestCertificates.Issued client = federation.client("tilldela");
        TestCertificates.Issued strangersClient = stranger.client("tilldela");
        try (EgilTestServer supplier = EgilTestServer.withClientCertificates(TestCertificates.serverContext(federation.server(), federation))) {
            UUID product = fx.product(fx.supplierId, DECLARED);
            UUID trusted = create(mtls(supplier.baseUrl(), product, client.certificatePem(), client.keyPem(), federation.pem()));
            UUID untrusted = create(mtls(supplier.baseUrl(), product, strangersClient.certificatePem(), strangersClient.keyPem(), federation.pem()));
            Map<String, Object> bearer = settings(supplier.baseUrl(), product);
            bearer.put("auth", "BEARER");
            bearer.put("bearerToken", "no-certificate-at-all");
            bearer.put("serverCa", federation.pem());
            UUID withoutCertificate = create(bearer);
            List<UUID> persons = fx.persons.subList(0, 2);
            license(product, persons);

            await().atMost(Duration.ofSeconds(15)).until(() -> supplier.users.store.size() == persons.size() && operations(trusted, "DONE") == persons.size());
            for (UUID refused : List.of(untrusted, withoutCertificate)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> operations(refused, "DEAD") == persons.size());
                Map<String, Object> shown = api().get().uri("/api/v1/provisioning/connectors/{id}", refused).retrieve()
                        .body(new ParameterizedTypeReference<>() { });
                // the handshake failure is what the administrator sees, on the connector and in its dead letters
                // (in TLS 1.3 the server refuses the client's certificate after the client has finished its handshake: the
                // client then sees either the alert as an SSL exception or the connection dropped, depending on timing)
                assertThat(shown.get("lastError").toString()).containsPattern(REFUSED_HANDSHAKE);
                List<Map<String, Object>> dead = api().get().uri("/api/v1/provisioning/connectors/{id}/dead-letters", refused).retrieve()
                        .body(new ParameterizedTypeReference<>() { });
                assertThat(dead).hasSize(persons.size()).allSatisfy(d -> assertThat(d.get("reason").toString()).containsPattern(REFUSED_HANDSHAKE));
            }
            assertThat(supplier.users.store).hasSize(persons.size()); // nothing arrived from the refused two

            // never shown, stored encrypted, audited without it
            String listed = api().get().uri("/api/v1/provisioning/connectors").retrieve().body(String.class);
            assertThat(listed).contains(trusted.toString()).doesNotContain("PRIVATE KEY").doesNotContain("BEGIN CERTIFICATE")
                    .doesNotContain(client.keyPem().lines().skip(1).findFirst().orElseThrow());
            Map<String, Object> stored = jdbc.sql("select encode(client_key, 'escape') k, encode(client_certificate, 'escape') c from provisioning_connector where id = :id")
                    .param("id", trusted).query().singleRow();
            assertThat(stored.get("k").toString()).doesNotContain("PRIVATE KEY");
            assertThat(stored.get("c").toString()).doesNotContain("CERTIFICATE");
            assertThat(audit.about("provisioning_connector", trusted.toString())).extracting(AuditTrail.Entry::action)
                    .contains("PROVISIONING_CONNECTOR_CREATED");
            assertThat(audit.about("provisioning_connector", trusted.toString())).allSatisfy(e ->
                    assertThat(String.valueOf(e.detail())).contains("MUTUAL_TLS").doesNotContain("PRIVATE KEY"));

            // a change without the certificate keeps it (same address); the change is audited
            Map<String, Object> renamed = mtls(supplier.baseUrl(), product, null, null, null);
            renamed.put("name", "EGIL med klientcertifikat, omdöpt");
            api().put().uri("/api/v1/provisioning/connectors/{id}", trusted).body(renamed).retrieve().toBodilessEntity();
            assertThat(audit.about("provisioning_connector", trusted.toString())).extracting(AuditTrail.Entry::action)
                    .contains("PROVISIONING_CONNECTOR_CHANGED");
            license(product, fx.persons.subList(2, 3));
            await().atMost(Duration.ofSeconds(15)).until(() -> supplier.users.store.size() == persons.size() + 1);
        }
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefused() throws Exception {
        TestCertificates.Authority ca = new TestCertificates.Authority("Federation CA");
        TestCertificates.Issued one = ca.client("one");
        TestCertificates.Issued other = ca.client("other");
        UUID product = fx.product(fx.supplierId, DECLARED);
        assertThat(status(mtls("https://scim.example.se/v2", product, one.certificatePem(), other.keyPem(), null))).isEqualTo(400);
        assertThat(status(mtls("https://scim.example.se/v2", product, one.certificatePem(), null, null))).isEqualTo(400);
        assertThat(status(mtls("https://scim.example.se/v2", product, "not a certificate", one.keyPem(), null))).isEqualTo(400);
        assertThat(status(mtls("https://scim.example.se/v2", product, one.certificatePem(), one.keyPem(), null))).isEqualTo(201);
    }

    private int status(Map<String, Object> settings) {
        return api().post().uri("/api/v1/provisioning/connectors").body(settings).exchange((request, response) -> response.getStatusCode()).value();
    }

    private Map<String, Object> mtls(String baseUrl, UUID product, String certificate, String key, String serverCa) {
        Map<String, Object> s = settings(baseUrl, product);
        s.put("auth", "MUTUAL_TLS");
        if (certificate != null) {
            s.put("clientCertificate", certificate);
        }
        if (key != null) {
            s.put("clientKey", key);
        }
        if (serverCa != null) {
            s.put("serverCa", serverCa);
        }
        return s;
    }

    private Map<String, Object> settings(String baseUrl, UUID product) {
        return new HashMap<>(Map.of("supplierId", fx.supplierId, "name", "EGIL med klientcertifikat", "baseUrl", baseUrl, "profile", "EGIL",
                "productIds", List.of(product), "deletionBrakePercent", 100));
    }

    private UUID create(Map<String, Object> settings) {
        Map<String, Object> created = api().post().uri("/api/v1/provisioning/connectors").body(settings).retrieve()
                .body(new ParameterizedTypeReference<>() { });
        assertThat(created.toString()).doesNotContain("PRIVATE KEY").doesNotContain("BEGIN CERTIFICATE");
        return UUID.fromString(created.get("id").toString());
    }

    private void license(UUID product, List<UUID> persons) {
        UUID pool = pools.create(new NewPool(product, fx.organiserId, fx.organiserId, 100, LocalDate.now().minusDays(1), LocalDate.now().plusYears(1),
                false, null, "test"));
        pools.assignDirect(pool, persons, "test");
    }

    private int operations(UUID connector, String state) {
        return jdbc.sql("select count(*) from provisioning_operation where connector_id = :c and state = :s").param("c", connector).param("s", state)
                .query(Integer.class).single();
    }

    private RestClient api() {
        return RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(admin, PASSWORD)).build();
    }
}
