package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.scim2.common.GenericScimResource;
import java.time.Duration;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import net.datafaker.Faker;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.access.AttributePackage;
import org.tilldela.access.DataAccessAgreement;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.access.NewDataAccessRequest;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.licensing.LicencePools;

/**
 * Reconciliation against UnboundID's SCIM server: drift made directly at the server — a user deleted there, a name
 * changed there, a user deactivated there, a group member taken out there, and an account Tilldela never made — is
 * found by a dry run that sends and queues nothing, and fixed by applying the plan through the ordinary outbox; the
 * stranger's account is listed and left alone. A plan that would deactivate more than the brake's share is held.
 */
class ReconciliationTest extends IntegrationTest {

    private static final String PASSWORD = "reconciliation-password";
    private static final Set<Attribute> DECLARED = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME,
            Attribute.ROLES, Attribute.SCHOOL_UNIT, Attribute.GROUPS);
    private static AccessFixture fx;
    private static String admin;

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired AdminAccounts accounts;
    @Autowired AuditTrail audit;
    @Autowired DataAccessAgreements agreements;
    @Autowired Connectors connectors;
    @Autowired Reconciliation reconciliation;
    @Autowired org.tilldela.ledger.Retention retention;

    @BeforeEach
    void fixture() throws Exception {
        if (fx == null) {
            fx = new AccessFixture(imports, jdbc, catalog, pools);
            admin = "recon-admin-" + fx.source;
            accounts.create(admin, "Avstämning", PASSWORD, EnumSet.of(AdminRight.ACCESS_ADMIN), "test");
        }
    }

    @Test
    void driftMadeAtTheSupplierIsFoundByADryRunThatSendsNothingAndFixedThroughTheOutbox() {
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = productWithNames();
            UUID connector = connector(supplier, product, List.of("User", "Group"), null);
            List<UUID> persons = fx.persons.subList(0, 4);
            fx.license(product, persons);
            await().atMost(Duration.ofSeconds(30)).until(() -> operations(connector, "DONE") == persons.size());
            UUID deleted = persons.get(0);
            UUID renamed = persons.get(1);
            UUID deactivated = persons.get(2);
            UUID leftOut = persons.get(3);

            // drift, made at the server behind Tilldela's back; a user deleted there leaves its groups too, as a real server does
            String deletedScim = scimId(connector, deleted);
            supplier.users.store.remove(deletedScim);
            for (GenericScimResource g : supplier.groups.store.values()) {
                ArrayNode m = (ArrayNode) g.getObjectNode().get("members");
                for (int i = m == null ? -1 : m.size() - 1; i >= 0; i--) {
                    if (m.get(i).path("value").asText().equals(deletedScim)) {
                        m.remove(i);
                    }
                }
            }
            ObjectNode renamedUser = supplier.users.store.get(scimId(connector, renamed)).getObjectNode();
            String familyName = renamedUser.path("name").path("familyName").asText();
            ((ObjectNode) renamedUser.get("name")).put("familyName", new Faker(java.util.Locale.of("sv")).name().lastName() + "-Ändrad");
            supplier.users.store.get(scimId(connector, deactivated)).getObjectNode().put("active", false);
            String leftOutScim = scimId(connector, leftOut);
            String group = jdbc.sql("select group_id from provisioned_membership where connector_id = :c and person_id = :p order by group_id limit 1")
                    .param("c", connector).param("p", leftOut).query(UUID.class).single().toString();
            GenericScimResource groupThere = supplier.groups.withExternalId(group).getFirst();
            ArrayNode members = (ArrayNode) groupThere.getObjectNode().get("members");
            for (int i = members.size() - 1; i >= 0; i--) {
                if (members.get(i).path("value").asText().equals(leftOutScim)) {
                    members.remove(i);
                }
            }
            String strangerId = UUID.randomUUID().toString();
            ObjectNode stranger = groupThere.getObjectNode().objectNode();
            stranger.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:User");
            stranger.put("id", strangerId).put("userName", "larare-" + strangerId.substring(0, 8) + "@skola.example").put("active", true);
            supplier.users.store.put(strangerId, new GenericScimResource(stranger));

            int creates = supplier.users.creates.get();
            int patches = supplier.users.patches.get() + supplier.groups.patches.get();
            int puts = supplier.users.puts.get() + supplier.groups.puts.get();
            int ops = operations(connector, null);
            long disclosed = disclosures(product);

            // the dry run: the plan, and nothing sent, queued or recorded in the ledger
            Map<String, Object> plan = api().get().uri("/api/v1/provisioning/connectors/{id}/reconciliation", connector).retrieve()
                    .body(new ParameterizedTypeReference<>() { });
            assertThat(persons(plan, "creates")).containsExactly(deleted.toString());
            assertThat(persons(plan, "updates")).containsExactlyInAnyOrder(renamed.toString(), deactivated.toString());
            assertThat(persons(plan, "deactivations")).isEmpty();
            assertThat(plan.get("applied")).isEqualTo(false);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> fixes = (List<Map<String, Object>>) plan.get("groupFixes");
            assertThat(fixes).anySatisfy(f -> {
                assertThat(f.get("fix")).isEqualTo("MEMBER_MISSING");
                assertThat(f.get("personId")).isEqualTo(leftOut.toString());
                assertThat(f.get("groupId")).isEqualTo(group);
            });
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> unknown = (List<Map<String, Object>>) plan.get("unknownAccounts");
            assertThat(unknown).extracting(u -> u.get("scimId")).containsExactly(strangerId);
            sleep(1000);
            assertThat(supplier.users.creates.get()).isEqualTo(creates);
            assertThat(supplier.users.patches.get() + supplier.groups.patches.get()).isEqualTo(patches);
            assertThat(supplier.users.puts.get() + supplier.groups.puts.get()).isEqualTo(puts);
            assertThat(operations(connector, null)).isEqualTo(ops);
            assertThat(disclosures(product)).isEqualTo(disclosed);
            assertThat(supplier.users.store).doesNotContainKey(scimId(connector, deleted));

            // applied: ordinary operations bring the supplier back in line
            Map<String, Object> applied = api().post().uri("/api/v1/provisioning/connectors/{id}/reconciliation", connector).retrieve()
                    .body(new ParameterizedTypeReference<>() { });
            assertThat(applied.get("applied")).isEqualTo(true);
            await().atMost(Duration.ofSeconds(30)).until(() -> operations(connector, "PENDING") + operations(connector, "IN_FLIGHT") == 0
                    && operations(connector, null) > ops);
            String deletedExternal = account(connector, deleted).get("external_id").toString();
            assertThat(supplier.users.withExternalId(deletedExternal)).hasSize(1);
            assertThat(supplier.users.store.get(scimId(connector, renamed)).getObjectNode().path("name").path("familyName").asText()).isEqualTo(familyName);
            assertThat(supplier.users.store.get(scimId(connector, deactivated)).getObjectNode().path("active").asBoolean()).isTrue();
            assertThat(supplier.groups.members(group)).contains(leftOutScim);
            assertGroupsHoldExactly(supplier, connector, persons);
            assertThat(supplier.users.store).containsKey(strangerId); // never touched
            assertThat(supplier.users.store.get(strangerId).getObjectNode().path("active").asBoolean()).isTrue();

            Map<String, Object> again = api().get().uri("/api/v1/provisioning/connectors/{id}/reconciliation", connector).retrieve()
                    .body(new ParameterizedTypeReference<>() { });
            assertThat(persons(again, "creates")).isEmpty();
            assertThat(persons(again, "updates")).isEmpty();
            assertThat((List<?>) again.get("groupFixes")).isEmpty();
            assertThat(audit.about("provisioning_connector", connector.toString())).extracting(AuditTrail.Entry::action)
                    .contains("PROVISIONING_RECONCILIATION_PLANNED", "PROVISIONING_RECONCILED");
            assertThat(audit.about("provisioning_connector", connector.toString())).filteredOn(e -> e.action().startsWith("PROVISIONING_RECONCIL"))
                    .allSatisfy(e -> assertThat(e.actor()).isEqualTo(admin));
        }
    }

    @Test
    void aPlanDeactivatingMoreThanTheBrakesShareIsHeld() {
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ROLES));
            UUID connector = connector(supplier, product, List.of("User"), 30.0);
            List<UUID> persons = fx.persons.subList(4, 8);
            UUID pool = fx.license(product, persons);
            await().atMost(Duration.ofSeconds(30)).until(() -> operations(connector, "DONE") == persons.size());
            // two leave the product while the connector is paused; the brake (30%) holds their deactivations (50%), an
            // administrator discards them ...
            connectors.setEnabled(connector, false, "test");
            for (UUID p : persons.subList(0, 2)) {
                pools.withdrawDirect(pool, p, "test");
            }
            assertThat(connectors.get(connector).orElseThrow().brakeHeldAt()).isNotNull();
            connectors.discardHeld(connector, "test");
            connectors.setEnabled(connector, true, "test");
            // ... yet they are active at the supplier: the reconciliation plans their deactivation, and the brake holds it again
            Map<String, Object> plan = api().post().uri("/api/v1/provisioning/connectors/{id}/reconciliation?dryRun=true", connector).retrieve()
                    .body(new ParameterizedTypeReference<>() { });
            assertThat(persons(plan, "deactivations")).containsExactlyInAnyOrder(persons.get(0).toString(), persons.get(1).toString());
            api().post().uri("/api/v1/provisioning/connectors/{id}/reconciliation", connector).retrieve().toBodilessEntity();
            Connector held = connectors.get(connector).orElseThrow();
            assertThat(held.brakeHeldAt()).isNotNull();
            assertThat(held.held()).isEqualTo(2);
            sleep(1000);
            assertThat(supplier.users.store.values()).allSatisfy(u -> assertThat(u.getObjectNode().path("active").asBoolean()).isTrue());
        }
    }

    /** A deletion due (retention ended) that was never requested is in the plan, and applied it is sent with its receipt. */
    @Test
    void deletionsDueAreInThePlanAndSentWhenApplied() {
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ROLES));
            UUID connector = connector(supplier, product, List.of("User"), 100.0); // no brake here: aPlanDeactivatingMoreThanTheBrakesShareIsHeld
            List<UUID> persons = fx.persons.subList(8, 10);
            UUID pool = fx.license(product, persons);
            await().atMost(Duration.ofSeconds(30)).until(() -> operations(connector, "DONE") == persons.size());
            UUID gone = persons.get(0);
            pools.withdrawDirect(pool, gone, "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> Boolean.FALSE.equals(account(connector, gone).get("active")));
            retention.relationEnded(gone, product, LocalDate.now().minusDays(40));
            String goneScim = scimId(connector, gone);

            Map<String, Object> plan = api().get().uri("/api/v1/provisioning/connectors/{id}/reconciliation", connector).retrieve()
                    .body(new ParameterizedTypeReference<>() { });
            assertThat(plan.get("deletions")).isEqualTo(1);
            assertThat(supplier.users.store).containsKey(goneScim);
            api().post().uri("/api/v1/provisioning/connectors/{id}/reconciliation", connector).retrieve().toBodilessEntity();
            await().atMost(Duration.ofSeconds(20)).until(() -> !supplier.users.store.containsKey(goneScim));
            await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.sql("""
                            select count(*) from provisioning_operation where connector_id = :c and person_id = :p and kind = 'DELETE' and state = 'DONE'""")
                    .param("c", connector).param("p", gone).query(Long.class).single() == 1);
            assertThat(supplier.users.store).hasSize(1);
        }
    }

    /** Scheduled: a connector whose own schedule is due is reconciled (actor "system"); a paused one is skipped. */
    @Test
    void dueConnectorsAreReconciledOnScheduleAndPausedOnesSkipped() throws Exception {
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ROLES));
            Connector.Settings every = new Connector.Settings(fx.supplierId, "Varje sekund", supplier.baseUrl(), Connector.Auth.BEARER, supplier.token,
                    null, null, null, null, List.of(product), true, null, "* * * * * *");
            UUID due = connectors.create(every, "test").id();
            UUID paused = connectors.create(new Connector.Settings(fx.supplierId, "Pausad", supplier.baseUrl(), Connector.Auth.BEARER, supplier.token,
                    null, null, null, null, List.of(product), false, null, "* * * * * *"), "test").id();
            assertThat(connectors.get(due).orElseThrow().reconcileCron()).isEqualTo("* * * * * *");
            Thread.sleep(1_100);
            reconciliation.scheduled();
            assertThat(connectors.get(due).orElseThrow().reconciledAt()).isNotNull();
            assertThat(connectors.get(paused).orElseThrow().reconciledAt()).isNull();
            assertThat(audit.about("provisioning_connector", due.toString())).filteredOn(e -> e.action().equals("PROVISIONING_RECONCILED"))
                    .isNotEmpty().allSatisfy(e -> assertThat(e.actor()).isEqualTo("system"));
            // a schedule that is not a cron expression is refused
            int status = api().put().uri("/api/v1/provisioning/connectors/{id}", due)
                    .body(Map.of("supplierId", fx.supplierId, "name", "Varje sekund", "baseUrl", supplier.baseUrl(), "auth", "BEARER",
                            "productIds", List.of(product), "reconcileCron", "every night"))
                    .exchange((request, response) -> response.getStatusCode().value());
            assertThat(status).isEqualTo(400);
        }
    }

    @Test
    void onlyAnAccessAdministratorReconciles() {
        String other = "recon-lic-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(other, "Licensadmin", PASSWORD, EnumSet.of(AdminRight.LICENCE_ADMIN), "test");
        int status = RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(other, PASSWORD)).build()
                .get().uri("/api/v1/provisioning/connectors/{id}/reconciliation", UUID.randomUUID())
                .exchange((request, response) -> response.getStatusCode().value());
        assertThat(status).isEqualTo(403);
    }

    private UUID productWithNames() {
        UUID product = fx.product(fx.supplierId, DECLARED);
        DataAccessAgreement filed = agreements.file(fx.supplierId,
                new NewDataAccessRequest(product, fx.organiserId, AttributePackage.SMALL, Set.of(), "Inloggning", "Allmänt intresse", 30), "supplier");
        agreements.approve(filed.id(), null, null, "school-admin");
        return product;
    }

    private UUID connector(ScimTestServer supplier, UUID product, List<String> types, Double brake) {
        return connectors.create(new Connector.Settings(fx.supplierId, "Avstämd " + UUID.randomUUID().toString().substring(0, 6), supplier.baseUrl(),
                Connector.Auth.BEARER, supplier.token, null, null, null, types, List.of(product), true, brake), "test").id();
    }

    @SuppressWarnings("unchecked")
    private static List<String> persons(Map<String, Object> plan, String key) {
        return ((List<Map<String, Object>>) plan.get(key)).stream().map(c -> c.get("personId").toString()).toList();
    }

    private void assertGroupsHoldExactly(ScimTestServer supplier, UUID connector, List<UUID> holders) {
        Map<String, Set<String>> expected = new HashMap<>();
        for (UUID person : holders) {
            String scimId = scimId(connector, person);
            jdbc.sql("select group_id from membership where person_id = :p").param("p", person).query(UUID.class).list()
                    .forEach(g -> expected.computeIfAbsent(g.toString(), k -> new HashSet<>()).add(scimId));
        }
        expected.forEach((group, members) -> assertThat(supplier.groups.members(group)).as("members of " + group).isEqualTo(members));
    }

    private String scimId(UUID connector, UUID person) {
        return account(connector, person).get("scim_id").toString();
    }

    private Map<String, Object> account(UUID connector, UUID person) {
        return jdbc.sql("select external_id, scim_id, active from provisioned_account where connector_id = :c and person_id = :p")
                .param("c", connector).param("p", person).query().singleRow();
    }

    private long disclosures(UUID product) {
        return jdbc.sql("select count(*) from disclosure where product_id = :q and channel = 'SCIM_PUSH'").param("q", product).query(Long.class).single();
    }

    private int operations(UUID connector, String state) {
        return jdbc.sql("select count(*) from provisioning_operation where connector_id = :c and (cast(:s as text) is null or state = :s)")
                .param("c", connector).param("s", state).query(Integer.class).single();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private RestClient api() {
        return RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(admin, PASSWORD)).build();
    }
}
