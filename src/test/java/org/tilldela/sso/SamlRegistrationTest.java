package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.onelogin.saml2.settings.Metadata;
import com.onelogin.saml2.settings.SettingsBuilder;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatusCode;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogFixtures;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/**
 * An access administrator registers a supplier's SAML service provider from its metadata — uploaded, or fetched
 * from its URL — over the API and on the admin page; everything about it comes from the metadata, and each
 * registration is audited.
 */
class SamlRegistrationTest extends IntegrationTest {

    static final String PASSWORD = "a long enough test password";

    @Autowired
    AdminAccounts accounts;
    @Autowired
    Catalog catalog;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    org.springframework.boot.web.server.context.WebServerApplicationContext server;

    String accessAdmin;
    String buyer;
    Product product;

    @BeforeEach
    void setUp() {
        accessAdmin = "saml-admin-" + CatalogFixtures.unique();
        buyer = "saml-buyer-" + CatalogFixtures.unique();
        accounts.create(accessAdmin, "Access admin", PASSWORD, EnumSet.of(AdminRight.ACCESS_ADMIN), "test");
        accounts.create(buyer, "Buyer", PASSWORD, EnumSet.of(AdminRight.BUYER), "test");
        Supplier supplier = CatalogFixtures.supplier("Läromedel AB " + CatalogFixtures.unique(), "SE");
        catalog.save(supplier);
        product = CatalogFixtures.digital(supplier, "Matematik 7", "Digital matematik", List.of("Matematik"), Attribute.GIVEN_NAME);
        catalog.save(product);
    }

    RestClient api(String user) {
        return RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(user, PASSWORD))
                .defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
                }).build();
    }

    record SpMetadata(String entityId, String xml, X509Certificate certificate) {
    }

    /** The metadata OneLogin's java-saml publishes for an SP that signs its AuthnRequests. */
    static SpMetadata spMetadata() throws Exception {
        String tag = CatalogFixtures.unique();
        KeyPair key = SamlTestSupport.rsa();
        X509Certificate certificate = SamlTestSupport.selfSigned(key, "sp");
        Map<String, Object> values = new HashMap<>();
        values.put(SettingsBuilder.SP_ENTITYID_PROPERTY_KEY, "https://sp-" + tag + ".example/metadata");
        values.put(SettingsBuilder.SP_ASSERTION_CONSUMER_SERVICE_URL_PROPERTY_KEY, "https://sp-" + tag + ".example/acs");
        values.put(SettingsBuilder.SP_X509CERT_PROPERTY_KEY, certificate);
        values.put(SettingsBuilder.SP_PRIVATEKEY_PROPERTY_KEY, key.getPrivate());
        values.put(SettingsBuilder.SECURITY_AUTHREQUEST_SIGNED, true);
        values.put(SettingsBuilder.IDP_ENTITYID_PROPERTY_KEY, "https://idp.example/metadata");
        values.put(SettingsBuilder.IDP_SINGLE_SIGN_ON_SERVICE_URL_PROPERTY_KEY, "https://idp.example/sso");
        return new SpMetadata("https://sp-" + tag + ".example/metadata",
                new Metadata(new SettingsBuilder().fromValues(values).build()).getMetadataString(), certificate);
    }

    @Test
    @SuppressWarnings("unchecked")
    void anUploadedMetadataRegistersTheSpWithWhatItSays() throws Exception {
        SpMetadata sp = spMetadata();
        var answer = api(accessAdmin).post().uri("/api/v1/sso/saml/service-providers")
                .body(Map.of("productId", product.id(), "metadata", sp.xml())).retrieve().toEntity(Map.class);
        assertThat(answer.getStatusCode().value()).isEqualTo(201);
        assertThat(answer.getBody()).containsEntry("entityId", sp.entityId()).containsEntry("productId", product.id().toString())
                .containsEntry("authnRequestsSigned", true);
        assertThat((List<Object>) answer.getBody().get("acsUrls")).containsExactly((Object) sp.entityId().replace("/metadata", "/acs"));
        assertThat((List<Object>) answer.getBody().get("signingCertificates"))
                .containsExactly((Object) Base64.getEncoder().encodeToString(sp.certificate().getEncoded()));
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'SSO_SAML_SP_REGISTERED' and target_id = :p and actor = :a")
                .param("p", product.id().toString()).param("a", accessAdmin).query(Integer.class).single()).isEqualTo(1);
        assertThat(api(accessAdmin).get().uri("/api/v1/sso/saml/service-providers").retrieve().body(String.class)).contains(sp.entityId());

        // once only; and nothing that is not an SP's metadata
        assertThat(api(accessAdmin).post().uri("/api/v1/sso/saml/service-providers").body(Map.of("productId", product.id(), "metadata", sp.xml()))
                .retrieve().toBodilessEntity().getStatusCode().value()).isEqualTo(400);
        for (String bad : List.of("not xml", "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"https://x.example\"/>")) {
            assertThat(api(accessAdmin).post().uri("/api/v1/sso/saml/service-providers").body(Map.of("productId", product.id(), "metadata", bad))
                    .retrieve().toBodilessEntity().getStatusCode().value()).as(bad).isEqualTo(400);
        }
        // only an access administrator
        SpMetadata other = spMetadata();
        assertThat(api(buyer).post().uri("/api/v1/sso/saml/service-providers").body(Map.of("productId", product.id(), "metadata", other.xml()))
                .retrieve().toBodilessEntity().getStatusCode().value()).isEqualTo(403);
        assertThat(jdbc.sql("select count(*) from sso_saml_sp where entity_id = :e").param("e", other.entityId()).query(Integer.class).single()).isZero();

        assertThat(api(accessAdmin).delete().uri(u -> u.path("/api/v1/sso/saml/service-providers").queryParam("entityId", sp.entityId()).build())
                .retrieve().toBodilessEntity().getStatusCode().value()).isEqualTo(204);
        assertThat(jdbc.sql("select count(*) from sso_saml_sp where entity_id = :e").param("e", sp.entityId()).query(Integer.class).single()).isZero();
    }

    @Test
    void metadataIsFetchedFromItsUrl() throws Exception {
        SpMetadata sp = spMetadata();
        HttpServer supplier = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        supplier.createContext("/saml/metadata", exchange -> {
            byte[] body = sp.xml().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/samlmetadata+xml");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        // fetched as given: no redirect followed (to the right metadata, even), and no more read than metadata can be
        HostileMetadataUrls.addTo(supplier, "/saml/metadata");
        supplier.start();
        try {
            String at = "http://127.0.0.1:" + supplier.getAddress().getPort();
            for (String path : List.of("/moved", "/endless")) {
                var refused = api(accessAdmin).post().uri("/api/v1/sso/saml/service-providers").body(Map.of("productId", product.id(), "metadataUrl", at + path))
                        .retrieve().toEntity(String.class);
                assertThat(refused.getStatusCode().value()).as(path).isEqualTo(400);
                assertThat(refused.getBody()).as(path).contains(path.equals("/moved") ? "HTTP 302" : "larger than an SP's metadata");
            }
            // an address inside the network that no operator listed (tilldela.sso.allowed-hosts) is not asked at all
            try (org.tilldela.CountingHttpServer internal = new org.tilldela.CountingHttpServer("127.0.0.2", 404)) {
                for (String inside : List.of(internal.url("/saml/metadata"), "http://169.254.169.254/latest/meta-data/")) {
                    var refused = api(accessAdmin).post().uri("/api/v1/sso/saml/service-providers").body(Map.of("productId", product.id(), "metadataUrl", inside))
                            .retrieve().toEntity(String.class);
                    assertThat(refused.getStatusCode().value()).as(inside).isEqualTo(400);
                    assertThat(refused.getBody()).as(inside).contains("tilldela.sso.allowed-hosts");
                }
                assertThat(internal.asked()).isZero();
            }
            String url = at + "/saml/metadata";
            var answer = api(accessAdmin).post().uri("/api/v1/sso/saml/service-providers").body(Map.of("productId", product.id(), "metadataUrl", url))
                    .retrieve().toEntity(Map.class);
            assertThat(answer.getStatusCode().value()).isEqualTo(201);
            assertThat(answer.getBody()).containsEntry("entityId", sp.entityId()).containsEntry("metadataUrl", url);
        } finally {
            supplier.stop(0);
        }
    }

    @Test
    void theAdminPageRegistersByArticleNumberAndShowsTheIdpMetadata() throws Exception {
        SpMetadata sp = spMetadata();
        WebSession web = new WebSession(server.getWebServer().getPort()).signIn(accessAdmin, PASSWORD);
        WebSession.Answer page = web.page("/sso/saml");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("/saml2/idp/metadata");
        Map<String, String> fields = new HashMap<>(WebSession.hiddenFields(page.body(), "/sso/saml"));
        fields.putAll(Map.of("articleNumber", product.articleNumber(), "metadata", sp.xml(), "metadataUrl", ""));
        WebSession.Answer registered = web.follow(web.post("/sso/saml", fields));
        assertThat(registered.body()).contains(sp.entityId()).contains("Matematik 7");
        assertThat(jdbc.sql("select product_id from sso_saml_sp where entity_id = :e").param("e", sp.entityId()).query(java.util.UUID.class).single())
                .isEqualTo(product.id());
    }

    @Test
    void anOrganisersScopeIsADomainSetByAnAccessAdministrator() {
        java.util.UUID organiser = java.util.UUID.randomUUID();
        String path = "/api/v1/sso/saml/organiser-scopes/" + organiser;
        for (String bad : List.of("", "exempel", "exempel.se/x", "@exempel.se", "exem pel.se")) {
            assertThat(api(accessAdmin).put().uri(path).body(Map.of("scope", bad)).retrieve().toBodilessEntity().getStatusCode().value())
                    .as(bad).isEqualTo(400);
        }
        assertThat(api(buyer).put().uri(path).body(Map.of("scope", "exempel.se")).retrieve().toBodilessEntity().getStatusCode().value()).isEqualTo(403);
        assertThat(api(accessAdmin).put().uri(path).body(Map.of("scope", "Exempel.SE")).retrieve().toBodilessEntity().getStatusCode().value())
                .isEqualTo(204);
        assertThat(jdbc.sql("select scope from sso_saml_organiser_scope where organiser_id = :o").param("o", organiser).query(String.class).single())
                .isEqualTo("exempel.se");
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'SSO_SAML_SCOPE_SET' and target_id = :o").param("o", organiser.toString())
                .query(Integer.class).single()).isEqualTo(1);
    }
}
