package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.access.AttributePackage;
import org.tilldela.access.DataAccessAgreement;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.access.NewDataAccessRequest;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.generator.MunicipalityGenerator;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.importing.ImportSummary;
import org.tilldela.directory.oneroster.OneRosterReader;

/**
 * A person's own attributes changed in the directory (the import journals PERSON_CHANGED): every supplier that
 * holds an account for them gets the new value — here a new family name, at UnboundID's SCIM server.
 */
class PersonChangedTest extends IntegrationTest {

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired org.tilldela.licensing.LicencePools pools;
    @Autowired Connectors connectors;
    @Autowired DataAccessAgreements agreements;

    @Test
    void aRenamedPersonReachesTheSupplierWithTheNewName() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        UUID person = fx.persons.get(3);
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME, Attribute.ROLES));
            DataAccessAgreement filed = agreements.file(fx.supplierId,
                    new NewDataAccessRequest(product, fx.organiserId, AttributePackage.SMALL, Set.of(), "Inloggning", "Allmänt intresse", 30), "supplier");
            agreements.approve(filed.id(), null, null, "school-admin");
            UUID connector = connectors.create(new Connector.Settings(fx.supplierId, "Byter namn", supplier.baseUrl(), Connector.Auth.BEARER,
                    supplier.token, null, null, null, null, List.of(product), true), "test").id();
            fx.license(product, List.of(person));
            String oldFamily = jdbc.sql("select family_name from person where id = :p").param("p", person).query(String.class).single();
            await().atMost(Duration.ofSeconds(20)).until(() -> familyName(supplier).equals(oldFamily));
            int creates = supplier.users.creates.get();

            // the next day's import is the same municipality, but the pupil has a new family name (and nothing else changed)
            String sourceId = jdbc.sql("select source_id from person where id = :p").param("p", person).query(String.class).single();
            String newFamily = oldFamily + "-Nyström";
            Path zip = renamed(sourceId, newFamily);
            ImportSummary summary = imports.runNow("ONEROSTER", new ImportOptions(fx.source, false, "test"), new OneRosterReader(zip, "renamed.zip"),
                    ImportProgress.NONE, "renamed.zip");
            Files.delete(zip);
            assertThat(jdbc.sql("select kind from directory_change where import_run_id = :r and person_id = :p").param("r", summary.runId())
                    .param("p", person).query(String.class).list()).containsExactly("PERSON_CHANGED");

            await().atMost(Duration.ofSeconds(30)).until(() -> familyName(supplier).equals(newFamily));
            JsonNode user = supplier.users.store.values().iterator().next().getObjectNode();
            assertThat(user.path("displayName").asText()).endsWith(newFamily);
            assertThat(supplier.users.store).hasSize(1);
            assertThat(supplier.users.creates.get()).isEqualTo(creates);
            assertThat(jdbc.sql("select count(*) from provisioning_operation where connector_id = :c and person_id = :p and cause = 'PERSON_CHANGED'")
                    .param("c", connector).param("p", person).query(Long.class).single()).isEqualTo(1);
        }
    }

    private static String familyName(ScimTestServer supplier) {
        return supplier.users.store.values().stream().findFirst().map(u -> u.getObjectNode().path("name").path("familyName").asText("")).orElse("");
    }

    /** The fixture's municipality again (same generator, same seed), with one user's family name changed in users.csv. */
    private static Path renamed(String sourceId, String familyName) throws Exception {
        Path original = Files.createTempFile("municipality-", ".zip");
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(1500, 7, "sv", 0, 0)).writeTo(original);
        Path changed = Files.createTempFile("renamed-", ".zip");
        try (ZipFile in = new ZipFile(original.toFile()); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(changed))) {
            for (ZipEntry entry : java.util.Collections.list(in.entries())) {
                byte[] bytes = in.getInputStream(entry).readAllBytes();
                if (entry.getName().endsWith("users.csv")) {
                    bytes = renameIn(bytes, sourceId, familyName);
                }
                out.putNextEntry(new ZipEntry(entry.getName()));
                out.write(bytes);
                out.closeEntry();
            }
        }
        Files.delete(original);
        return changed;
    }

    private static byte[] renameIn(byte[] csv, String sourceId, String familyName) throws Exception {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
        try (CSVParser parser = CSVParser.parse(new InputStreamReader(new java.io.ByteArrayInputStream(csv), StandardCharsets.UTF_8), format)) {
            List<String> header = parser.getHeaderNames();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int renamed = 0;
            try (CSVPrinter printer = new CSVPrinter(new OutputStreamWriter(bytes, StandardCharsets.UTF_8),
                    CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new)).get())) {
                for (CSVRecord record : parser) {
                    Map<String, String> row = record.toMap();
                    if (sourceId.equals(row.get("sourcedId"))) {
                        row.put("familyName", familyName);
                        renamed++;
                    }
                    List<String> values = new ArrayList<>();
                    header.forEach(h -> values.add(row.get(h)));
                    printer.printRecord(values);
                }
            }
            assertThat(renamed).isEqualTo(1);
            return bytes.toByteArray();
        }
    }
}
