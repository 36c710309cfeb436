package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.client.RestClient;
import org.tilldela.access.AttributePackage;
import org.tilldela.access.NewDataAccessRequest;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.CatalogFixtures;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.ledger.DisclosureLedger;
import org.tilldela.sso.cli.DemoProduct;

/**
 * The README's demo walk, set up the way a school has it: a product declaring more than the school
 * approved (e-mail beyond the SMALL package), an approved agreement, a licensed pupil with a local
 * account, an administrator who registers the demo product's client through the API, and the demo
 * product itself running in-process on a port of its own.
 */
abstract class DemoProductTestSupport extends SignInTestSupport {

    static final String ADMIN_PASSWORD = "a long enough demo password";
    /** What the product declares; the school approves the SMALL package, so e-mail must never arrive. */
    static final Attribute[] DECLARED = {Attribute.PSEUDONYMOUS_ID, Attribute.GROUPS, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME, Attribute.EMAIL};

    /** The claim each attribute travels as (the README's table). */
    static final Map<Attribute, String> CLAIMS = Map.ofEntries(Map.entry(Attribute.PSEUDONYMOUS_ID, "sub"), Map.entry(Attribute.GIVEN_NAME, "given_name"),
            Map.entry(Attribute.FAMILY_NAME, "family_name"), Map.entry(Attribute.EMAIL, "email"), Map.entry(Attribute.ORGANISATION, "organisation"),
            Map.entry(Attribute.SCHOOL_UNIT, "school_unit"), Map.entry(Attribute.GROUPS, "groups"), Map.entry(Attribute.ROLES, "roles"),
            Map.entry(Attribute.GRADE, "grade"), Map.entry(Attribute.GUARDIAN_LINKS, "guardians"), Map.entry(Attribute.PHONE, "phone_number"),
            Map.entry(Attribute.CIVIC_NUMBER, "civic_number"), Map.entry(Attribute.PROTECTION_FLAG, "protected_identity"));

    @Autowired
    AdminAccounts admins;
    @Autowired
    ReleasePolicy policy;
    @Autowired
    DisclosureLedger ledger;

    String admin;
    Product product;
    Supplier supplier;
    UUID pupil;
    String pupilUsername;
    DemoProduct demo;
    String clientId;

    /** The supplier, its product, the approved agreement, a licensed pupil with an account, and an administrator. */
    void schoolWithAnApprovedProduct(String title, UUID pupil) {
        String tag = CatalogFixtures.unique();
        admin = "demo-admin-" + tag;
        admins.create(admin, "Skoladministratör", ADMIN_PASSWORD, EnumSet.of(AdminRight.ACCESS_ADMIN, AdminRight.DATA_PROTECTION_OFFICER), "test");
        supplier = catalog.supplier(fixture.supplier("Nordiska Läromedel " + tag, true)).orElseThrow();
        product = CatalogFixtures.digital(supplier, title, "", List.of("Svenska"), DECLARED);
        catalog.save(product);
        fixture.license(product.id(), List.of(pupil));
        var agreement = agreements.file(supplier.id(), new NewDataAccessRequest(product.id(), fixture.organiserId, AttributePackage.SMALL, Set.of(),
                "Inloggning och klasslistor", "Uppgift av allmänt intresse (GDPR art. 6.1 e)", 30), "test");
        agreements.approve(agreement.id(), null, null, "test");
        this.pupil = pupil;
        pupilUsername = "elev-" + tag;
        accounts.setPassword(pupil, pupilUsername, PASSWORD, "test");
    }

    /** Starts the demo product and registers its client through the API, as the README does (a public client: no secret). */
    void demoProductRegistered() throws IOException {
        int port = freePort();
        String loopback = "http://127.0.0.1:" + port;
        var answer = RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(admin, ADMIN_PASSWORD))
                .defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
                }).build()
                .post().uri("/api/v1/sso/clients").body(Map.of("productId", product.id(), "name", product.title(),
                        "redirectUris", List.of(loopback + "/callback"), "confidential", false, "initiateLoginUri", loopback + "/login",
                        "postLogoutRedirectUris", List.of(loopback + "/")))
                .retrieve().toEntity(Map.class);
        assertThat(answer.getStatusCode().value()).as("%s", answer.getBody()).isEqualTo(201);
        assertThat(answer.getBody().get("clientSecret")).as("a public client has no secret").isNull();
        clientId = (String) answer.getBody().get("clientId");
        demo = DemoProduct.start(java.net.URI.create(baseUrl()), clientId, product.title(), port);
        assertThat(demo.redirectUri().toString()).isEqualTo(loopback + "/callback");
    }

    @AfterEach
    void stopDemoProduct() {
        if (demo != null) {
            demo.close();
        }
    }

    /** The claims the school approved for this pupil and product, by the release policy (nothing is released by asking). */
    Set<String> approvedClaims() {
        return policy.permitted(pupil, product.id()).attributes().stream().map(CLAIMS::get).collect(java.util.stream.Collectors.toSet());
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
