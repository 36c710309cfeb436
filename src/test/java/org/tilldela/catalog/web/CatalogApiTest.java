package org.tilldela.catalog.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.MediaType;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogFixtures;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/** The catalogue API over HTTP: buyers and catalogue keepers search and read products; feeds only for keepers; others get 403. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogApiTest extends IntegrationTest {

    private static final String PASSWORD = "catalog-api-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    Catalog catalog;

    private String buyer;
    private String keeper;
    private String directoryOnly;
    private Supplier supplier;
    private Product product;

    @BeforeAll
    void setUp() {
        String u = CatalogFixtures.unique();
        buyer = "buyer-" + u;
        keeper = "keeper-" + u;
        directoryOnly = "dironly-" + u;
        accounts.create(buyer, "Buyer", PASSWORD, EnumSet.of(AdminRight.BUYER), "test");
        accounts.create(keeper, "Keeper", PASSWORD, EnumSet.of(AdminRight.CATALOG_ADMIN), "test");
        accounts.create(directoryOnly, "Directory", PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN), "test");
        supplier = CatalogFixtures.supplier("Apiförlaget " + u, "DK");
        catalog.save(supplier);
        product = CatalogFixtures.digital(supplier, "Historie for 6. klasse", "Vikingetiden og middelalderen.", List.of("Historie"),
                Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME);
        catalog.save(product);
    }

    private RestClient client(String user) {
        return RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(user, PASSWORD)).build();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aBuyerSearchesWithFacetsAndReadsAProduct() {
        Map<String, Object> page = client(buyer).get()
                .uri("/api/v1/catalog/products?q={q}&supplier={s}&kind=DIGITAL&need=GIVEN_NAME", "vikingetid", supplier.id())
                .retrieve().body(new ParameterizedTypeReference<>() { });
        assertThat(((Number) page.get("total")).intValue()).isEqualTo(1);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> hits = (List<Map<String, Object>>) page.get("hits");
        assertThat(hits.getFirst()).containsEntry("id", product.id().toString()).containsEntry("supplierName", supplier.name());
        assertThat((List<Object>) hits.getFirst().get("dataNeeds")).containsExactlyInAnyOrder("PSEUDONYMOUS_ID", "GIVEN_NAME");
        @SuppressWarnings("unchecked")
        Map<String, List<Map<String, Object>>> facets = (Map<String, List<Map<String, Object>>>) page.get("facets");
        assertThat(facets.get("kinds")).singleElement().satisfies(k -> assertThat(k).containsEntry("value", "DIGITAL").containsEntry("selected", true));

        Map<String, Map<String, Object>> detail = client(buyer).get().uri("/api/v1/catalog/products/{id}", product.id())
                .retrieve().body(new ParameterizedTypeReference<>() { });
        assertThat(detail.get("product")).containsEntry("articleNumber", product.articleNumber());
        assertThat((List<?>) detail.get("product").get("dataNeeds")).hasSize(2);
        assertThat(detail.get("supplier")).containsEntry("organisationNumber", supplier.organisationNumber());

        Integer missing = client(keeper).get().uri("/api/v1/catalog/products/{id}", java.util.UUID.randomUUID())
                .exchange((req, res) -> res.getStatusCode().value());
        assertThat(missing).isEqualTo(404);
    }

    @Test
    void withoutTheBuyerOrCatalogueRightTheCatalogueIsForbidden() {
        Integer status = client(directoryOnly).get().uri("/api/v1/catalog/products?q=historie").exchange((req, res) -> res.getStatusCode().value());
        assertThat(status).isEqualTo(403);
        Integer anonymous = RestClient.create("http://localhost:" + port).get().uri("/api/v1/catalog/products")
                .exchange((req, res) -> res.getStatusCode().value());
        assertThat(anonymous).isEqualTo(401);
    }

    private LinkedMultiValueMap<String, Object> upload(String name, String content) {
        var form = new LinkedMultiValueMap<String, Object>();
        form.add("file", new ByteArrayResource(content.getBytes(StandardCharsets.UTF_8)) {
            @Override
            public String getFilename() {
                return name;
            }
        });
        return form;
    }

    @Test
    void feedsAreForCatalogueKeepersAndAreAppliedOrRefusedWhole() {
        String article = "API-" + CatalogFixtures.unique();
        String header = "supplier_organisation_number,article_number,title,kind,licence_model,price,access_method,data_needs\n";
        String good = supplier.organisationNumber() + "," + article + ",Dansk 4,DIGITAL,PER_USER,99,OPENID_CONNECT,PSEUDONYMOUS_ID:30:DK:Log-in\n";
        String bad = supplier.organisationNumber() + ",X" + article + ",Dansk 5,DIGITAL,PER_USER,gratis,OPENID_CONNECT,\n";

        Integer buyerStatus = client(buyer).post().uri("/api/v1/catalog/feeds").contentType(MediaType.MULTIPART_FORM_DATA)
                .body(upload("feed.csv", header + good)).exchange((req, res) -> res.getStatusCode().value());
        assertThat(buyerStatus).isEqualTo(403);
        assertThat(catalog.productByArticleNumber(article)).isEmpty();

        var refused = client(keeper).post().uri("/api/v1/catalog/feeds").contentType(MediaType.MULTIPART_FORM_DATA)
                .body(upload("feed.csv", header + good + bad)).exchange((req, res) -> Map.entry(res.getStatusCode().value(),
                        new String(res.getBody().readAllBytes(), StandardCharsets.UTF_8)));
        assertThat(refused.getKey()).isEqualTo(422);
        assertThat(refused.getValue()).contains("\"line\":3").contains("\"field\":\"price\"").contains("is not a price");
        assertThat(catalog.productByArticleNumber(article)).isEmpty();

        Map<String, Object> applied = client(keeper).post().uri("/api/v1/catalog/feeds").contentType(MediaType.MULTIPART_FORM_DATA)
                .body(upload("feed.csv", header + good)).retrieve().body(new ParameterizedTypeReference<>() { });
        assertThat(applied).containsEntry("created", 1).containsEntry("format", "CSV");
        assertThat(catalog.productByArticleNumber(article)).isPresent();
    }
}
