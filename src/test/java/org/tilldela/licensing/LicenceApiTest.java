package org.tilldela.licensing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.web.client.RestClient;
import org.tilldela.catalog.Product;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/** {@code GET /api/v1/persons/{id}/licences} over HTTP: for licence and directory administrators, 403 for anyone else. */
class LicenceApiTest extends LicensingTestSupport {

    private static final String PASSWORD = "licence-api-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;

    @Test
    void aPersonsLicencesForLicenceAndDirectoryAdministratorsOnly() {
        String source = newSource("lic-api");
        importTown(source, Town.small());
        UUID product = product(Product.LicenceModel.PER_USER, null);
        UUID poolId = pool(product, source, "org-1", 10);
        pools.addRule(poolId, Selector.group(group(source, "c-7a"), "PUPIL"), "test");
        UUID p1 = person(source, "p1");

        String licenceAdmin = "licadmin-" + source;
        String directoryAdmin = "diradmin-" + source;
        String catalogAdmin = "catadmin-" + source;
        accounts.create(licenceAdmin, "Licence admin", PASSWORD, EnumSet.of(AdminRight.LICENCE_ADMIN), "test");
        accounts.create(directoryAdmin, "Directory admin", PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN), "test");
        accounts.create(catalogAdmin, "Catalogue admin", PASSWORD, EnumSet.of(AdminRight.CATALOG_ADMIN), "test");

        List<Map<String, Object>> list = client(licenceAdmin).get().uri("/api/v1/persons/{id}/licences", p1).retrieve()
                .body(new ParameterizedTypeReference<>() { });
        assertThat(list).singleElement().satisfies(l -> {
            assertThat(l).containsEntry("productId", product.toString()).containsEntry("poolId", poolId.toString())
                    .containsEntry("state", "ACTIVE").containsEntry("source", "RULE").containsEntry("trial", false);
            assertThat((String) l.get("productTitle")).startsWith("Matematik");
            assertThat(l.get("validUntil")).isEqualTo(TODAY.plusYears(1).toString());
        });
        assertThat(status(directoryAdmin, p1)).isEqualTo(200);
        assertThat(status(catalogAdmin, p1)).isEqualTo(403);
        assertThat(client(directoryAdmin).get().uri("/api/v1/persons/{id}/licences", person(source, "p8")).retrieve()
                .body(new ParameterizedTypeReference<List<Map<String, Object>>>() { })).isEmpty();
        // the web pages need the licence right itself
        int pages = client(directoryAdmin).get().uri("/licences").exchange((req, res) -> res.getStatusCode().value());
        assertThat(pages).isIn(302, 403);
    }

    private int status(String user, UUID person) {
        return client(user).get().uri("/api/v1/persons/{id}/licences", person).exchange((req, res) -> res.getStatusCode().value());
    }

    private RestClient client(String user) {
        return RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(user, PASSWORD)).build();
    }
}
