package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatusCode;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogFixtures;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/** An administrator registers a product's sign-in client over the API; the client then authenticates at the provider. */
class SignInClientApiTest extends IntegrationTest {

    static final String PASSWORD = "a long enough test password";

    @Autowired
    AdminAccounts accounts;

    @Autowired
    Catalog catalog;

    @Autowired
    JdbcClient jdbc;

    String accessAdmin;
    String buyer;
    Product product;

    @BeforeEach
    void setUp() {
        accessAdmin = "sso-admin-" + CatalogFixtures.unique();
        buyer = "sso-buyer-" + CatalogFixtures.unique();
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

    @Test
    void aConfidentialClientGetsItsSecretOnceStoredAsAFastHashAndCanAuthenticate() throws Exception {
        var answer = api(accessAdmin).post().uri("/api/v1/sso/clients").body(Map.of("productId", product.id(), "name", "Matematik 7",
                "redirectUris", List.of("https://matematik.example/callback"), "confidential", true)).retrieve().toEntity(Map.class);
        assertThat(answer.getStatusCode().value()).isEqualTo(201);
        String clientId = (String) answer.getBody().get("clientId");
        String secret = (String) answer.getBody().get("clientSecret");
        assertThat(secret).hasSizeGreaterThanOrEqualTo(43);

        String stored = jdbc.sql("select client_secret from oauth2_registered_client where client_id = :c").param("c", clientId).query(String.class).single();
        assertThat(stored).startsWith("{sha256}").doesNotContain(secret);
        assertThat(api(accessAdmin).get().uri("/api/v1/sso/clients").retrieve().body(String.class)).contains(clientId).doesNotContain(secret);

        OIDCProviderMetadata op = OIDCProviderMetadata.resolve(new Issuer(baseUrl()));
        TokenResponse token = TokenResponse.parse(new TokenRequest(op.getTokenEndpointURI(), new ClientSecretBasic(new ClientID(clientId),
                new Secret(secret)), new ClientCredentialsGrant(), null).toHTTPRequest().send());
        assertThat(token.indicatesSuccess()).isTrue();
        TokenResponse wrong = TokenResponse.parse(new TokenRequest(op.getTokenEndpointURI(), new ClientSecretBasic(new ClientID(clientId),
                new Secret(secret + "x")), new ClientCredentialsGrant(), null).toHTTPRequest().send());
        assertThat(wrong.indicatesSuccess()).isFalse();
    }

    @Test
    void aPublicClientHasNoSecretAndMustUsePkce() {
        var answer = api(accessAdmin).post().uri("/api/v1/sso/clients").body(Map.of("productId", product.id(), "name", "Matematik app",
                "redirectUris", List.of("http://127.0.0.1:53682/callback"), "confidential", false)).retrieve().toEntity(Map.class);
        assertThat(answer.getStatusCode().value()).isEqualTo(201);
        assertThat(answer.getBody().get("clientSecret")).isNull();
        String settings = jdbc.sql("select client_settings from oauth2_registered_client where client_id = :c")
                .param("c", answer.getBody().get("clientId")).query(String.class).single();
        assertThat(settings).contains("\"settings.client.require-proof-key\":true");
    }

    @Test
    void redirectUrisAreExactHttpsAndOnlyAnAccessAdministratorRegisters() {
        // a comma is legal in a URI, but the store keeps a client's URIs comma-separated: one https URI would come back as two
        for (String bad : List.of("http://matematik.example/callback", "https://*.example/callback", "https://matematik.example/cb#x", "/callback",
                "https://matematik.example/cb,http://elsewhere.example/cb")) {
            var answer = api(accessAdmin).post().uri("/api/v1/sso/clients").body(Map.of("productId", product.id(), "name", "X",
                    "redirectUris", List.of(bad), "confidential", true)).retrieve().toEntity(String.class);
            assertThat(answer.getStatusCode().value()).as(bad).isEqualTo(400);
        }
        // URIs that do not fit the authorization server's store together: told at once, not a server error
        List<String> many = java.util.stream.IntStream.range(0, 30).mapToObj(i -> "https://matematik.example/callback/number-" + i).toList();
        var tooMany = api(accessAdmin).post().uri("/api/v1/sso/clients").body(Map.of("productId", product.id(), "name", "X",
                "redirectUris", many, "confidential", true)).retrieve().toEntity(String.class);
        assertThat(tooMany.getStatusCode().value()).isEqualTo(400);
        assertThat(tooMany.getBody()).contains("at most 1000 characters");
        var credentials = supplierClients.create(product.supplierId(), "test");
        assertThat(supplierApi(credentials).post().uri("/api/v1/supplier/sso/clients").body(Map.of("productId", product.id(), "name", "X",
                "redirectUris", many, "confidential", true)).retrieve().toBodilessEntity().getStatusCode().value())
                .as("nor filed by the supplier, to fail when approved (the supplier API answers a refusal 422)").isEqualTo(422);
        assertThat(api(buyer).post().uri("/api/v1/sso/clients").body(Map.of("productId", product.id(), "name", "X",
                "redirectUris", List.of("https://matematik.example/callback"), "confidential", true)).retrieve().toBodilessEntity()
                .getStatusCode().value()).isEqualTo(403);
        assertThat(jdbc.sql("select count(*) from sso_client where product_id = :p").param("p", product.id()).query(Integer.class).single()).isZero();
    }

    @Autowired
    org.tilldela.access.SupplierClients supplierClients;

    RestClient supplierApi(org.tilldela.access.SupplierClients.Credentials credentials) {
        return RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(credentials.clientId(), credentials.secret()))
                .defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
                }).build();
    }

    private TokenResponse clientCredentials(String clientId, String secret) throws Exception {
        OIDCProviderMetadata op = OIDCProviderMetadata.resolve(new Issuer(baseUrl()));
        return TokenResponse.parse(new TokenRequest(op.getTokenEndpointURI(), new ClientSecretBasic(new ClientID(clientId), new Secret(secret)),
                new ClientCredentialsGrant(), null).toHTTPRequest().send());
    }

    @Test
    void aSupplierFilesAClientForItsOwnProductWhichWorksOnlyOnceApproved() throws Exception {
        var credentials = supplierClients.create(product.supplierId(), "test");
        var filed = supplierApi(credentials).post().uri("/api/v1/supplier/sso/clients").body(Map.of("productId", product.id(), "name", "Matematik 7",
                "redirectUris", List.of("https://matematik.example/callback"), "confidential", true)).retrieve().toEntity(Map.class);
        assertThat(filed.getStatusCode().value()).isEqualTo(201);
        String clientId = (String) filed.getBody().get("clientId");
        String secret = (String) filed.getBody().get("clientSecret");
        assertThat(filed.getBody().get("state")).isEqualTo("FILED");
        assertThat(clientCredentials(clientId, secret).indicatesSuccess()).as("not before approval").isFalse();

        assertThat(api(buyer).post().uri("/api/v1/sso/clients/requests/{id}/approve", filed.getBody().get("requestId")).retrieve().toBodilessEntity()
                .getStatusCode().value()).isEqualTo(403);
        var approved = api(accessAdmin).post().uri("/api/v1/sso/clients/requests/{id}/approve", filed.getBody().get("requestId")).retrieve()
                .toEntity(Map.class);
        assertThat(approved.getStatusCode().value()).isEqualTo(200);
        assertThat(approved.getBody().get("state")).isEqualTo("APPROVED");
        assertThat(clientCredentials(clientId, secret).indicatesSuccess()).as("with the secret the supplier was given when filing").isTrue();
        assertThat(api(accessAdmin).post().uri("/api/v1/sso/clients/requests/{id}/approve", filed.getBody().get("requestId")).retrieve()
                .toBodilessEntity().getStatusCode().value()).as("decided once").isEqualTo(400);
    }

    @Test
    void aSupplierCannotFileForAnotherSuppliersProductNorLearnWhetherItExists() {
        Supplier other = CatalogFixtures.supplier("Annat förlag " + CatalogFixtures.unique(), "SE");
        catalog.save(other);
        var credentials = supplierClients.create(other.id(), "test");
        for (Object productId : List.of(product.id(), java.util.UUID.randomUUID())) {
            var refused = supplierApi(credentials).post().uri("/api/v1/supplier/sso/clients").body(Map.of("productId", productId, "name", "X",
                    "redirectUris", List.of("https://x.example/callback"), "confidential", true)).retrieve().toEntity(String.class);
            assertThat(refused.getStatusCode().value()).isEqualTo(422);
            assertThat(refused.getBody()).contains("The product is not one of this supplier's.");
        }
    }
}
