package org.tilldela.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/**
 * Suppliers file requests through their own door with their own credentials; administrators decide
 * through theirs. Neither set of credentials opens the other door.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SupplierApiTest extends IntegrationTest {

    private static final String PASSWORD = "access-api-password-1";

    @LocalServerPort int port;
    @Autowired SupplierClients clients;
    @Autowired Catalog catalog;
    @Autowired AdminAccounts accounts;
    @Autowired JdbcClient jdbc;
    @Autowired ImportRuns imports;

    UUID supplier;
    UUID otherSupplier;
    UUID product;
    UUID othersProduct;
    UUID organiser;
    SupplierClients.Credentials credentials;
    String accessAdmin;
    String directoryAdmin;
    String source;

    @BeforeAll
    void setUp() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        source = "sapi-" + tag;
        organiser = AccessFixture.importMunicipality(imports, jdbc, source, 20);
        supplier = saveSupplier("Leverantör " + tag);
        otherSupplier = saveSupplier("Konkurrent " + tag);
        product = saveProduct(supplier);
        othersProduct = saveProduct(otherSupplier);
        credentials = clients.create(supplier, "test");
        accessAdmin = "access-" + tag;
        directoryAdmin = "dir-" + tag;
        accounts.create(accessAdmin, "Access admin", PASSWORD, EnumSet.of(AdminRight.ACCESS_ADMIN), "test");
        accounts.create(directoryAdmin, "Directory admin", PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN), "test");
    }

    private UUID saveSupplier(String name) {
        UUID id = UUID.randomUUID();
        catalog.save(new Supplier(id, name, "55" + Math.abs(id.getLeastSignificantBits() % 100_000_000L), "SE", Set.of("SE"), List.of(),
                List.of(new Supplier.ProcessingAgreement(UUID.randomUUID(), "avtal.pdf", LocalDate.now().minusDays(10), null, Set.of())),
                new Supplier.Contact(null, null, null)));
        return id;
    }

    private UUID saveProduct(UUID owner) {
        UUID id = UUID.randomUUID();
        catalog.save(new Product(id, "SAPI-" + id.toString().substring(0, 8), owner, "Läsförståelse", "", Product.Kind.DIGITAL, List.of("GR"), List.of(),
                List.of(), Product.LicenceModel.PER_USER, 12, BigDecimal.TEN, "SEK", null, Product.AccessMethod.SCIM,
                List.of(new Product.DataNeed(Attribute.PSEUDONYMOUS_ID, "konto", 30, Set.of("SE")),
                        new Product.DataNeed(Attribute.GIVEN_NAME, "visas för läraren", 30, Set.of("SE")))));
        return id;
    }

    private RestClient as(String user, String password) {
        return RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(user, password))
                .defaultStatusHandler(HttpStatusCode::isError, (req, res) -> { }).build();
    }

    private Map<String, Object> body(UUID productId) {
        return Map.of("productId", productId, "scopeId", organiser, "attributePackage", "SMALL", "purpose", "Konton",
                "legalBasis", "Allmänt intresse", "retentionDays", 30);
    }

    @Test
    void theSecretIsKeptAsItsDigestAndOneKeptAsABcryptHashBeforeSignsInAndIsKeptAsADigestFromThenOn() {
        SupplierClients.Credentials fresh = clients.create(supplier, "test");
        String kept = jdbc.sql("select secret_hash from supplier_api_client where client_id = :c").param("c", fresh.clientId()).query(String.class).single();
        assertThat(kept).startsWith("{sha256}").doesNotContain(fresh.secret());
        assertThat(status(as(fresh.clientId(), fresh.secret()))).isEqualTo(200);
        assertThat(status(as(fresh.clientId(), fresh.secret() + "x"))).isEqualTo(401);

        // a secret kept before as bcrypt: it still signs in, and is kept as a digest from then on
        String legacy = "{bcrypt}" + new org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder().encode(fresh.secret());
        jdbc.sql("update supplier_api_client set secret_hash = :h where client_id = :c").param("h", legacy).param("c", fresh.clientId()).update();
        assertThat(status(as(fresh.clientId(), fresh.secret() + "x"))).isEqualTo(401);
        assertThat(jdbc.sql("select secret_hash from supplier_api_client where client_id = :c").param("c", fresh.clientId()).query(String.class).single())
                .as("a wrong secret changes nothing").isEqualTo(legacy);
        assertThat(status(as(fresh.clientId(), fresh.secret()))).isEqualTo(200);
        assertThat(jdbc.sql("select secret_hash from supplier_api_client where client_id = :c").param("c", fresh.clientId()).query(String.class).single())
                .isEqualTo(kept);
        assertThat(status(as(fresh.clientId(), fresh.secret()))).isEqualTo(200);
    }

    private static int status(RestClient client) {
        return client.get().uri("/api/v1/supplier/data-access-requests").exchange((request, response) -> response.getStatusCode().value());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSupplierFilesARequestForItsOwnProductAndAnAdministratorApprovesIt() {
        RestClient asSupplier = as(credentials.clientId(), credentials.secret());
        ResponseEntity<Map<String, Object>> filed = asSupplier.post().uri("/api/v1/supplier/data-access-requests").contentType(MediaType.APPLICATION_JSON)
                .body(body(product)).retrieve().toEntity(new ParameterizedTypeReference<>() { });
        assertThat(filed.getStatusCode().value()).isEqualTo(201);
        assertThat(filed.getBody()).containsEntry("state", "REQUESTED");
        assertThat((List<Object>) filed.getBody().get("requestedAttributes")).containsExactlyInAnyOrder("PSEUDONYMOUS_ID", "GIVEN_NAME");
        String id = (String) filed.getBody().get("id");

        ResponseEntity<Map<String, Object>> approved = as(accessAdmin, PASSWORD).post().uri("/api/v1/access/requests/{id}/approve", id)
                .contentType(MediaType.APPLICATION_JSON).body(Map.of("attributes", List.of("PSEUDONYMOUS_ID"), "reason", "Namn behövs inte"))
                .retrieve().toEntity(new ParameterizedTypeReference<>() { });
        assertThat(approved.getStatusCode().value()).isEqualTo(200);
        assertThat(approved.getBody()).containsEntry("state", "APPROVED");

        List<Map<String, Object>> mine = asSupplier.get().uri("/api/v1/supplier/data-access-requests").retrieve().body(new ParameterizedTypeReference<>() { });
        assertThat(mine).extracting(m -> m.get("id")).contains(id);
        assertThat(mine).allMatch(m -> m.get("supplierId").equals(supplier.toString()));
        assertThat(mine.stream().filter(m -> m.get("id").equals(id)).findFirst().orElseThrow().get("approvedAttributes")).isEqualTo(List.of("PSEUDONYMOUS_ID"));
    }

    private ResponseEntity<String> file(Map<String, Object> body) {
        return as(credentials.clientId(), credentials.secret()).post().uri("/api/v1/supplier/data-access-requests")
                .contentType(MediaType.APPLICATION_JSON).body(body).retrieve().toEntity(String.class);
    }

    private Map<String, Object> body(UUID productId, UUID scopeId) {
        Map<String, Object> body = new java.util.HashMap<>(body(productId));
        body.put("scopeId", scopeId);
        return body;
    }

    @Test
    void aSupplierLearnsNothingAboutOtherSuppliersProductsOrWhichOrganisationsExist() {
        String articleNumber = catalog.product(othersProduct).orElseThrow().articleNumber();
        UUID schoolUnit = jdbc.sql("select id from organisation where source = :s and kind = 'SCHOOL_UNIT' limit 1").param("s", source)
                .query(UUID.class).single();
        List<ResponseEntity<String>> refusals = List.of(
                file(body(othersProduct)),                         // exists, another supplier's
                file(body(UUID.randomUUID())),                     // does not exist
                file(body(product, UUID.randomUUID())),            // no such organisation
                file(body(product, othersProduct)));               // an id of something else
        for (ResponseEntity<String> refused : refusals) {
            assertThat(refused.getStatusCode().value()).isEqualTo(422);
            assertThat(refused.getBody()).isEqualTo(refusals.getFirst().getBody()).doesNotContain(articleNumber, othersProduct.toString());
        }
        assertThat(file(body(product, schoolUnit)).getStatusCode().value()).as("a school unit is a scope").isEqualTo(201);
    }

    @Test
    void anObjectionForAPersonWhoDoesNotExistIsNotFound() {
        RestClient admin = as(accessAdmin, PASSWORD);
        UUID person = jdbc.sql("select id from person where source = :s limit 1").param("s", source).query(UUID.class).single();
        assertThat(admin.post().uri("/api/v1/access/objections").contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("personId", UUID.randomUUID(), "reason", "Vårdnadshavaren invänder")).retrieve().toBodilessEntity().getStatusCode().value())
                .isEqualTo(404);
        assertThat(admin.post().uri("/api/v1/access/objections").contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("personId", person, "supplierId", UUID.randomUUID(), "reason", "Vårdnadshavaren invänder")).retrieve().toBodilessEntity()
                .getStatusCode().value()).as("nor towards a supplier that does not exist").isEqualTo(404);
        assertThat(admin.post().uri("/api/v1/access/objections").contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("personId", person, "reason", "Vårdnadshavaren invänder")).retrieve().toBodilessEntity().getStatusCode().value())
                .isEqualTo(201);
    }

    @Test
    void aNulInAJsonStringIsABadRequestWithoutAStackTrace() {
        UUID person = jdbc.sql("select id from person where source = :s limit 1").param("s", source).query(UUID.class).single();
        ResponseEntity<String> objection = as(accessAdmin, PASSWORD).post().uri("/api/v1/access/objections").contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("personId", person, "reason", "Vårdnads\u0000havaren")).retrieve().toEntity(String.class);
        Map<String, Object> request = new java.util.HashMap<>(body(product));
        request.put("purpose", "Kon\u0000ton");
        for (ResponseEntity<String> refused : List.of(objection, file(request))) {
            assertThat(refused.getStatusCode().value()).isEqualTo(400);
            assertThat(refused.getBody()).doesNotContain("Exception", "\tat ", "SQL");
        }
    }

    @Test
    void neitherSetOfCredentialsOpensTheOtherDoor() {
        assertThat(as(accessAdmin, PASSWORD).get().uri("/api/v1/supplier/data-access-requests").retrieve().toBodilessEntity().getStatusCode().value())
                .isEqualTo(401);
        assertThat(as(credentials.clientId(), credentials.secret()).get().uri("/api/v1/access/requests").retrieve().toBodilessEntity().getStatusCode().value())
                .isEqualTo(401);
        assertThat(as(credentials.clientId(), "wrong-secret").get().uri("/api/v1/supplier/data-access-requests").retrieve().toBodilessEntity()
                .getStatusCode().value()).isEqualTo(401);
        assertThat(as(directoryAdmin, PASSWORD).get().uri("/api/v1/access/requests").retrieve().toBodilessEntity().getStatusCode().value())
                .as("an administrator without ACCESS_ADMIN").isEqualTo(403);
    }

    @Test
    void aDisabledClientIsLockedOut() {
        SupplierClients.Credentials spare = clients.create(supplier, "test");
        clients.disable(spare.clientId(), "test");
        assertThat(as(spare.clientId(), spare.secret()).get().uri("/api/v1/supplier/data-access-requests").retrieve().toBodilessEntity()
                .getStatusCode().value()).isEqualTo(401);
    }
}
