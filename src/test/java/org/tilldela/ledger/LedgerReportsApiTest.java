package org.tilldela.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.web.client.RestClient;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogFixtures;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.directory.generator.MunicipalityGenerator;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.oneroster.OneRosterReader;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;

/**
 * The data protection officer's views over HTTP: the per-person report as JSON and PDF (audited, a
 * protected person masked), a supplier's inventory, the feed, verification; refused without the right.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LedgerReportsApiTest extends LedgerTestSupport {

    private static final String PASSWORD = "ledger-api-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AuditTrail audit;
    @Autowired
    Catalog catalog;
    @Autowired
    ImportRuns imports;

    private String dpo;
    private String directoryAdmin;
    private Supplier supplier;
    private Product app;
    private Product roster;
    private UUID pupil;
    private String pupilName;
    private UUID classmate;
    private UUID protectedPupil;

    @BeforeAll
    void setUp(@TempDir Path dir) {
        String source = "ledger-api-" + UUID.randomUUID().toString().substring(0, 8);
        dpo = "dpo-" + source;
        directoryAdmin = "dir-" + source;
        accounts.create(dpo, "Dataskyddsombud", PASSWORD, EnumSet.of(AdminRight.DATA_PROTECTION_OFFICER), "test");
        accounts.create(directoryAdmin, "Katalog", PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN, AdminRight.ACCESS_ADMIN), "test");
        Path zip = dir.resolve("m.zip");
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(300, 23, "sv", 0, 0)).writeTo(zip);
        imports.runNow("ONEROSTER", new ImportOptions(source, false, "test"), new OneRosterReader(zip, "m.zip"), ImportProgress.NONE, "m.zip");
        List<Map<String, Object>> persons = jdbc.sql("select id, given_name, family_name, protection from person where source = :s order by protection = 'NONE' desc, id")
                .param("s", source).query((rs, n) -> Map.<String, Object>of("id", rs.getObject(1, UUID.class), "name", rs.getString(2) + " " + rs.getString(3),
                        "protection", rs.getString(4))).list();
        pupil = (UUID) persons.get(0).get("id");
        pupilName = (String) persons.get(0).get("name");
        classmate = (UUID) persons.get(1).get("id");
        protectedPupil = (UUID) persons.stream().filter(p -> !"NONE".equals(p.get("protection"))).findFirst().orElseThrow().get("id");

        supplier = CatalogFixtures.supplier("Läromedel Åkesson AB " + CatalogFixtures.unique(), "SE");
        catalog.save(supplier);
        app = CatalogFixtures.digital(supplier, "Matte Direkt Digital", "", List.of("Matematik"), Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME);
        roster = CatalogFixtures.digital(supplier, "Klasslistan", "", List.of("Svenska"), Attribute.PSEUDONYMOUS_ID);
        catalog.save(app);
        catalog.save(roster);
        append(List.of(
                disclosure(pupil, supplier.id(), app.id(), Channel.SCIM_PUSH, SMALL),
                disclosure(pupil, supplier.id(), roster.id(), Channel.ROSTER_PULL, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GROUPS)),
                disclosure(classmate, supplier.id(), app.id(), Channel.SSO_ID_TOKEN, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME)),
                disclosure(protectedPupil, supplier.id(), app.id(), Channel.SSO_ID_TOKEN, EnumSet.of(Attribute.PSEUDONYMOUS_ID))));
    }

    private RestClient client(String user) {
        return RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(user, PASSWORD)).build();
    }

    @Test
    @SuppressWarnings("unchecked")
    void thePerPersonReportAsJsonNamesEveryRecipientAndIsAudited() {
        Map<String, Object> report = client(dpo).get().uri("/api/v1/ledger/persons/{id}", pupil).retrieve().body(new ParameterizedTypeReference<>() { });
        Map<String, Object> person = (Map<String, Object>) report.get("person");
        assertThat(person.get("givenName") + " " + person.get("familyName")).isEqualTo(pupilName);
        List<Map<String, Object>> recipients = (List<Map<String, Object>>) report.get("recipients");
        assertThat(recipients).extracting(r -> r.get("productName")).containsExactlyInAnyOrder("Matte Direkt Digital", "Klasslistan");
        assertThat(recipients).allSatisfy(r -> {
            assertThat(r.get("supplierName")).isEqualTo(supplier.name());
            assertThat(r.get("purpose")).isEqualTo("Sign-in to the learning platform");
            assertThat(r.get("legalBasis")).isNotNull();
            assertThat(r.get("since")).isNotNull();
            assertThat(r.get("deletionState")).isEqualTo("HELD");
        });
        assertThat(recipients).filteredOn(r -> r.get("productName").equals("Klasslistan")).singleElement()
                .satisfies(r -> assertThat((List<String>) r.get("attributes")).containsExactly("GROUPS", "PSEUDONYMOUS_ID"));
        assertThat((List<?>) report.get("recentReleases")).hasSize(2);
        assertThat(audit.about("person", pupil.toString())).anySatisfy(e -> {
            assertThat(e.actor()).isEqualTo(dpo);
            assertThat(e.action()).isEqualTo("VIEW_DISCLOSURE_REPORT");
        });
    }

    @Test
    void thePerPersonReportAsPdfListsTheRecipients() throws Exception {
        byte[] pdf = client(dpo).get().uri("/api/v1/ledger/persons/{id}/report.pdf?lang=sv", pupil).retrieve().body(byte[].class);
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            String text = new PDFTextStripper().getText(doc);
            assertThat(text).contains("Vem har uppgifter om").contains(pupilName).contains(supplier.name())
                    .contains("Matte Direkt Digital").contains("Klasslistan").contains("Förnamn");
        }
        assertThat(audit.about("person", pupil.toString())).anySatisfy(e -> assertThat(e.detail()).contains("pdf"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aProtectedPersonIsMaskedInTheReportAndTheViewAudited() {
        Map<String, Object> report = client(dpo).get().uri("/api/v1/ledger/persons/{id}", protectedPupil).retrieve().body(new ParameterizedTypeReference<>() { });
        Map<String, Object> person = (Map<String, Object>) report.get("person");
        assertThat(person.get("masked")).isEqualTo(true);
        assertThat(person.get("givenName")).isNull();
        assertThat(person.get("familyName")).isNull();
        assertThat((List<?>) report.get("recipients")).hasSize(1);
        assertThat(audit.about("person", protectedPupil.toString())).extracting(AuditTrail.Entry::action)
                .contains("VIEW_PROTECTED_PERSON", "VIEW_DISCLOSURE_REPORT");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSupplierInventoryCountsPersonsPerProductAndAttribute() {
        Map<String, Object> inventory = client(dpo).get().uri("/api/v1/ledger/suppliers/{id}", supplier.id()).retrieve().body(new ParameterizedTypeReference<>() { });
        assertThat(inventory.get("persons")).isEqualTo(3);
        List<Map<String, Object>> products = (List<Map<String, Object>>) inventory.get("products");
        Map<String, Object> appInventory = products.stream().filter(p -> p.get("productName").equals("Matte Direkt Digital")).findFirst().orElseThrow();
        assertThat(appInventory.get("persons")).isEqualTo(3);
        Map<String, Object> perAttribute = (Map<String, Object>) appInventory.get("personsPerAttribute");
        assertThat(perAttribute.get("PSEUDONYMOUS_ID")).isEqualTo(3);
        assertThat(perAttribute.get("GIVEN_NAME")).isEqualTo(2);
        assertThat(perAttribute.get("FAMILY_NAME")).isEqualTo(1);
        Map<String, Object> rosterInventory = products.stream().filter(p -> p.get("productName").equals("Klasslistan")).findFirst().orElseThrow();
        assertThat(rosterInventory.get("persons")).isEqualTo(1);

        List<Map<String, Object>> feed = client(dpo).get().uri("/api/v1/ledger/feed?supplier={s}", supplier.id()).retrieve()
                .body(new ParameterizedTypeReference<>() { });
        assertThat(feed).hasSize(4);
        assertThat(feed.getFirst().get("hash").toString()).hasSize(64);
        List<Map<String, Object>> bySso = client(dpo).get().uri("/api/v1/ledger/feed?supplier={s}&channel=SSO_ID_TOKEN", supplier.id()).retrieve()
                .body(new ParameterizedTypeReference<>() { });
        assertThat(bySso).hasSize(2);

        // a time far beyond what the database keeps selects as the last (or first) one it does, not a server error
        List<Map<String, Object>> fromFarAhead = client(dpo).get().uri("/api/v1/ledger/feed?supplier={s}&from={f}", supplier.id(), "+1000000000-01-01T00:00:00Z")
                .retrieve().body(new ParameterizedTypeReference<>() { });
        assertThat(fromFarAhead).isEmpty();
        List<Map<String, Object>> untilFarAhead = client(dpo).get().uri("/api/v1/ledger/feed?supplier={s}&from={f}&to={t}", supplier.id(),
                "-300000-01-01T00:00:00Z", "+300000-01-01T00:00:00Z").retrieve().body(new ParameterizedTypeReference<>() { });
        assertThat(untilFarAhead).hasSize(4);
        Integer farDay = client(dpo).get().uri("/api/v1/ledger/deletions/due?date={d}", "+300000-01-01").exchange((req, res) -> res.getStatusCode().value());
        assertThat(farDay).isEqualTo(HttpStatus.BAD_REQUEST.value());
    }

    @Test
    void verificationOverTheApi() {
        Map<String, Object> result = client(dpo).post().uri("/api/v1/ledger/verify").retrieve().body(new ParameterizedTypeReference<>() { });
        assertThat(result.get("intact")).isEqualTo(true);
        assertThat(((Number) result.get("recordsChecked")).longValue()).isPositive();

        Map<String, Object> signed = client(dpo).post().uri("/api/v1/ledger/checkpoint").retrieve().body(new ParameterizedTypeReference<>() { });
        assertThat(((String) signed.get("jws")).split("\\.")).hasSize(3);
        Map<String, Object> latest = client(dpo).get().uri("/api/v1/ledger/checkpoint").retrieve().body(new ParameterizedTypeReference<>() { });
        assertThat(latest.get("sequence")).isEqualTo(signed.get("sequence"));
        assertThat(client(dpo).get().uri("/api/v1/ledger/checkpoint/key").retrieve().body(String.class)).contains("\"kty\":\"EC\"").doesNotContain("\"d\"");
        Map<String, Object> again = client(dpo).post().uri("/api/v1/ledger/verify").retrieve().body(new ParameterizedTypeReference<>() { });
        assertThat(((Number) again.get("checkpointsHeld")).longValue()).as("the checkpoint just signed holds").isPositive();
        Integer refused = client(directoryAdmin).get().uri("/api/v1/ledger/checkpoint").exchange((req, res) -> res.getStatusCode().value());
        assertThat(refused).isEqualTo(HttpStatus.FORBIDDEN.value());
    }

    @Test
    void anAdministratorWithoutTheDataProtectionOfficerRightIsRefused() {
        for (String uri : List.of("/api/v1/ledger/persons/" + pupil, "/api/v1/ledger/suppliers/" + supplier.id(), "/api/v1/ledger/feed",
                "/api/v1/ledger/persons/" + pupil + "/report.pdf")) {
            Integer status = client(directoryAdmin).get().uri(uri).exchange((req, res) -> res.getStatusCode().value());
            assertThat(status).as(uri).isEqualTo(HttpStatus.FORBIDDEN.value());
        }
        Integer status = client(directoryAdmin).post().uri("/api/v1/ledger/verify").exchange((req, res) -> res.getStatusCode().value());
        assertThat(status).isEqualTo(HttpStatus.FORBIDDEN.value());
        assertThat(audit.about("person", pupil.toString())).noneMatch(e -> e.actor().equals(directoryAdmin));
    }
}
