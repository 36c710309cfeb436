package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.zip.ZipFile;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatusCode;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.generator.MunicipalityGenerator;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.oneroster.OneRosterReader;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.NewPool;

/**
 * The deletion brake: a leaver import that would deactivate 30% of a connector's accounts (its brake is the default
 * 10%) sends no deactivation, while other operations go on, until an administrator releases the brake.
 */
class DeletionBrakeTest extends IntegrationTest {

    private static final String PASSWORD = "deletion-brake-password";

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired Connectors connectors;
    @Autowired AdminAccounts accounts;
    @Autowired DeletionRequests deletions;
    @Autowired org.tilldela.ledger.Retention retention;

    @Test
    void aLeaverImportOfThirtyPercentSendsNoDeactivationUntilReleased() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        String admin = "brake-admin-" + fx.source;
        accounts.create(admin, "Provisioning admin", PASSWORD, EnumSet.of(AdminRight.ACCESS_ADMIN), "test");
        // the next day's snapshot: some pupils are no longer in it
        Path nextDay = Files.createTempFile("next-day-", ".zip");
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(1500, 7, "sv", 15, 1)).writeTo(nextDay);
        Set<String> stillThere = sourcedIds(nextDay);
        List<UUID> leaving = new ArrayList<>();
        List<UUID> staying = new ArrayList<>();
        jdbc.sql("select distinct p.id, p.source_id from person p join enrolment e on e.person_id = p.id where p.source = :s and p.protection = 'NONE' order by p.id")
                .param("s", fx.source).query((rs, n) -> Map.entry(rs.getObject(1, UUID.class), rs.getString(2))).list().forEach(p -> {
                    (stillThere.contains(p.getValue()) ? staying : leaving).add(p.getKey());
                });
        assertThat(leaving).hasSizeGreaterThanOrEqualTo(3);
        assertThat(staying).hasSizeGreaterThanOrEqualTo(8);
        List<UUID> holders = new ArrayList<>(leaving.subList(0, 3));
        holders.addAll(staying.subList(0, 7)); // 3 of 10 accounts will leave: 30%
        UUID newcomer = staying.get(7);

        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ROLES));
            UUID connector = connectors.create(new Connector.Settings(fx.supplierId, "Med raderingsspärr", supplier.baseUrl(), Connector.Auth.BEARER,
                    supplier.token, null, null, null, null, List.of(product), true), "test").id();
            assertThat(connectors.get(connector).orElseThrow().deletionBrakePercent()).isEqualTo(10.0);
            UUID pool = pools.create(new NewPool(product, fx.organiserId, fx.organiserId, 100, LocalDate.now().minusDays(1), LocalDate.now().plusYears(1),
                    false, null, "test"));
            pools.assignDirect(pool, holders, "test");
            await().atMost(Duration.ofSeconds(30)).until(() -> supplier.users.store.size() == 10);

            imports.runNow("ONEROSTER", new ImportOptions(fx.source, false, "test"), new OneRosterReader(nextDay, "next-day.zip"), ImportProgress.NONE,
                    "next-day.zip");
            Files.delete(nextDay);
            await().atMost(Duration.ofSeconds(20)).until(() -> connectors.get(connector).orElseThrow().brakeHeldAt() != null);
            Connector held = connectors.get(connector).orElseThrow();
            assertThat(held.held()).isEqualTo(3);
            assertThat(jdbc.sql("select count(*) from audit_event where action = 'PROVISIONING_DELETION_BRAKE_HELD' and target_id = :c")
                    .param("c", connector.toString()).query(Long.class).single()).isEqualTo(1);

            // other operations go on: a licence granted meanwhile reaches the supplier
            pools.assignDirect(pool, List.of(newcomer), "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> supplier.users.store.size() == 11);
            Thread.sleep(1500); // several poll intervals: nothing held is sent
            assertThat(activeAtSupplier(supplier)).isEqualTo(11);
            assertThat(jdbc.sql("select count(*) from provisioning_operation where connector_id = :c and kind = 'DEACTIVATE' and state = 'PENDING'")
                    .param("c", connector).query(Long.class).single()).isEqualTo(3);

            // only an ACCESS_ADMIN releases it
            RestClient api = RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(admin, PASSWORD)).build();
            Map<String, Object> released = api.post().uri("/api/v1/provisioning/connectors/{id}/release-brake", connector).retrieve()
                    .body(new ParameterizedTypeReference<>() { });
            assertThat(released.get("brakeHeldAt")).isNull();
            await().atMost(Duration.ofSeconds(20)).until(() -> activeAtSupplier(supplier) == 8);
            // the worker records what the supplier answered after it answered: wait for that too, not only for the supplier
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (UUID p : leaving.subList(0, 3)) {
                    assertThat(jdbc.sql("select active from provisioned_account where connector_id = :c and person_id = :p").param("c", connector)
                            .param("p", p).query(Boolean.class).single()).isFalse();
                }
            });
            assertThat(jdbc.sql("select count(*) from audit_event where action = 'PROVISIONING_DELETION_BRAKE_RELEASED' and target_id = :c and actor = :a")
                    .param("c", connector.toString()).param("a", admin).query(Long.class).single()).isEqualTo(1);
            // released, not held again by the same operations; a second release is refused
            HttpStatusCode again = api.post().uri("/api/v1/provisioning/connectors/{id}/release-brake", connector)
                    .exchange((request, response) -> response.getStatusCode());
            assertThat(again.value()).isEqualTo(400);
            assertThat(connectors.get(connector).orElseThrow().brakeHeldAt()).isNull();
        }
    }

    @Test
    void deletionsOverTheShareAreHeldAndCanBeDiscarded() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        String admin = "brake-discarder-" + fx.source;
        accounts.create(admin, "Provisioning admin", PASSWORD, EnumSet.of(AdminRight.ACCESS_ADMIN), "test");
        List<UUID> persons = fx.persons.subList(10, 14);
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ROLES));
            // a share of its own: 2 of 4 accounts (50%) is over it, 1 (25%) would not be
            UUID connector = connectors.create(new Connector.Settings(fx.supplierId, "Spärr 30 %", supplier.baseUrl(), Connector.Auth.BEARER,
                    supplier.token, null, null, null, null, List.of(product), true, 30.0), "test").id();
            UUID pool = pools.create(new NewPool(product, fx.organiserId, fx.organiserId, 100, LocalDate.now().minusDays(1), LocalDate.now().plusYears(1),
                    false, null, "test"));
            pools.assignDirect(pool, persons, "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> supplier.users.store.size() == 4);
            for (UUID p : persons.subList(0, 2)) {
                pools.withdrawDirect(pool, p, "test");
                retention.relationEnded(p, product, LocalDate.now().minusDays(40));
            }
            // licence-end deactivations count against the brake too: two of four at once may be held (not what this test is about)
            if (connectors.get(connector).orElseThrow().brakeHeldAt() != null) {
                connectors.releaseBrake(connector, "test");
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.sql("select count(*) from provisioned_account where connector_id = :c and not active")
                    .param("c", connector).query(Long.class).single() == 2);

            assertThat(deletions.request(LocalDate.now(), connector)).isEqualTo(2);
            Connector held = connectors.get(connector).orElseThrow();
            assertThat(held.brakeHeldAt()).isNotNull();
            assertThat(held.held()).isEqualTo(2);
            Thread.sleep(1000);
            assertThat(supplier.users.store).hasSize(4);

            RestClient api = RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(admin, PASSWORD)).build();
            Map<String, Object> after = api.post().uri("/api/v1/provisioning/connectors/{id}/discard-held", connector).retrieve()
                    .body(new ParameterizedTypeReference<>() { });
            assertThat(after.get("brakeHeldAt")).isNull();
            assertThat(((Number) after.get("held")).intValue()).isZero();
            assertThat(jdbc.sql("select count(*) from provisioning_operation where connector_id = :c and kind = 'DELETE' and state = 'DISCARDED'")
                    .param("c", connector).query(Long.class).single()).isEqualTo(2);
            Thread.sleep(1000);
            assertThat(supplier.users.store).hasSize(4); // nothing was deleted
            assertThat(jdbc.sql("select count(*) from audit_event where action = 'PROVISIONING_DELETION_BRAKE_DISCARDED' and target_id = :c and actor = :a")
                    .param("c", connector.toString()).param("a", admin).query(Long.class).single()).isEqualTo(1);
            // the holdings stay due: the data protection officer still sees them overdue
            assertThat(retention.deletionsDue(LocalDate.now())).filteredOn(d -> d.productId().equals(product)).hasSize(2);
        }
    }

    /**
     * A product taken off a connector leaves nothing that may go about its holders: their SYNCs would deactivate every
     * account. They are queued as deactivations instead, and the brake holds them (found in review: they went unseen).
     */
    @Test
    void aProductTakenOffTheConnectorDeactivatesNothingUnseen() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        List<UUID> persons = fx.persons.subList(0, 5);
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID served = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ROLES));
            UUID other = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ROLES));
            UUID connector = connectors.create(new Connector.Settings(fx.supplierId, "Två produkter", supplier.baseUrl(), Connector.Auth.BEARER,
                    supplier.token, null, null, null, null, List.of(served, other), true), "test").id();
            UUID pool = pools.create(new NewPool(served, fx.organiserId, fx.organiserId, 100, LocalDate.now().minusDays(1), LocalDate.now().plusYears(1),
                    false, null, "test"));
            pools.assignDirect(pool, persons, "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> activeAtSupplier(supplier) == 5);

            connectors.change(connector, new Connector.Settings(fx.supplierId, "Två produkter", supplier.baseUrl(), Connector.Auth.BEARER,
                    null, null, null, null, null, List.of(other), true), "test");
            // held from the second deactivation on; the other updates become deactivations behind it, held too
            await().atMost(Duration.ofSeconds(20)).until(() -> connectors.get(connector).orElseThrow().brakeHeldAt() != null);
            await().atMost(Duration.ofSeconds(20)).until(() -> connectors.get(connector).orElseThrow().held() == 5);
            Thread.sleep(1500); // several poll intervals: nothing held is sent
            assertThat(activeAtSupplier(supplier)).isEqualTo(5);

            connectors.releaseBrake(connector, "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> activeAtSupplier(supplier) == 0);
        }
    }

    /** A DELETE queued while the account was inactive is not sent once the account is active again (found in review). */
    @Test
    void aDeleteOfAnAccountActiveAgainIsNotSent() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        UUID person = fx.persons.get(6);
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ROLES));
            UUID connector = connectors.create(new Connector.Settings(fx.supplierId, "Åter aktiv", supplier.baseUrl(), Connector.Auth.BEARER,
                    supplier.token, null, null, null, null, List.of(product), true, 100.0), "test").id();
            UUID pool = pools.create(new NewPool(product, fx.organiserId, fx.organiserId, 100, LocalDate.now().minusDays(1), LocalDate.now().plusYears(1),
                    false, null, "test"));
            pools.assignDirect(pool, List.of(person), "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> activeAtSupplier(supplier) == 1);
            long delete = jdbc.sql("""
                            insert into provisioning_operation (connector_id, person_id, kind, cause, product_id)
                            values (:c, :p, 'DELETE', 'RETENTION_ENDED', :product) returning id""")
                    .param("c", connector).param("p", person).param("product", product).query(Long.class).single();
            await().atMost(Duration.ofSeconds(20)).until(() -> "DISCARDED".equals(jdbc.sql("select state from provisioning_operation where id = :id")
                    .param("id", delete).query(String.class).single()));
            assertThat(activeAtSupplier(supplier)).isEqualTo(1);
            assertThat(jdbc.sql("select active from provisioned_account where connector_id = :c and person_id = :p").param("c", connector)
                    .param("p", person).query(Boolean.class).single()).isTrue();
        }
    }

    private static long activeAtSupplier(ScimTestServer supplier) {
        return supplier.users.store.values().stream().filter(u -> u.getObjectNode().path("active").asBoolean()).count();
    }

    private static Set<String> sourcedIds(Path zip) throws Exception {
        Set<String> ids = new HashSet<>();
        try (ZipFile file = new ZipFile(zip.toFile())) {
            var entry = file.stream().filter(e -> e.getName().endsWith("users.csv")).findFirst().orElseThrow();
            try (CSVParser parser = CSVParser.parse(new InputStreamReader(file.getInputStream(entry), StandardCharsets.UTF_8),
                    CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get())) {
                for (CSVRecord r : parser) {
                    ids.add(r.get("sourcedId"));
                }
            }
        }
        return ids;
    }
}
