package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.unboundid.scim2.common.GenericScimResource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
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
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.licensing.LicencePools;

/**
 * SCIM push end to end: licences granted and ended in the licensing module reach an independent SCIM 2.0
 * service provider (UnboundID's scim2-sdk-server, {@link ScimTestServer}) through the outbox and the workers,
 * with only what the release policy lets go; and suppliers that fail in the usual ways neither hold up another
 * nor lose operations (dead letters with the reason, replayable). Backoff, attempts and the HTTP timeout are
 * short in tests (IntegrationTest).
 */
class ScimPushTest extends IntegrationTest {

    private static final String PASSWORD = "provisioning-api-password";
    private static final Set<Attribute> DECLARED = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME,
            Attribute.EMAIL, Attribute.ROLES, Attribute.SCHOOL_UNIT, Attribute.GROUPS, Attribute.CIVIC_NUMBER);
    private static AccessFixture fx;
    private static String admin;

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired AdminAccounts accounts;
    @Autowired AuditTrail audit;
    @Autowired io.micrometer.core.instrument.MeterRegistry meters;

    @BeforeEach
    void fixture() throws Exception {
        if (fx == null) {
            fx = new AccessFixture(imports, jdbc, catalog, pools);
            admin = "scim-admin-" + fx.source;
            accounts.create(admin, "Provisioning admin", PASSWORD, EnumSet.of(AdminRight.ACCESS_ADMIN), "test");
        }
    }

    @Test
    void aLicenceGrantedReachesTheSupplierWithOnlyWhatIsReleasedAndItsEndDeactivates() {
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, DECLARED);
            UUID connector = connector(supplier.baseUrl(), supplier.token, List.of(product));
            UUID person = fx.persons.get(0);
            UUID pool = fx.license(product, List.of(person));

            Instant granted = Instant.now();
            await().atMost(Duration.ofSeconds(10)).until(() -> supplier.users.store.size() == 1 && operations(connector, "DONE") == 1); // the account recorded too
            assertThat(Duration.between(granted, Instant.now())).isLessThan(Duration.ofSeconds(5));
            String externalId = account(connector, person).get("external_id").toString();
            assertThat(externalId).isNotEqualTo(person.toString()).matches("[0-9a-f-]{36}");
            JsonNode user = supplier.users.withExternalId(externalId).getFirst().getObjectNode();
            // no data-access agreement: MINIMAL as the product declares it — a pseudonym, the school unit, roles; no names, no e-mail
            assertThat(user.path("userName").asText()).isEqualTo(externalId);
            assertThat(user.path("active").asBoolean()).isTrue();
            assertThat(user.has("name")).isFalse();
            assertThat(user.has("emails")).isFalse();
            assertThat(user.has("displayName")).isFalse();
            assertThat(user.toString()).doesNotContain(person.toString());
            assertThat(user.path("roles").isArray()).isTrue();
            assertThat(user.path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User").path("department").asText()).isNotBlank();
            // what left is in the disclosure ledger, for this product, over this channel
            List<String> recorded = jdbc.sql("select attributes from disclosure where person_id = :p and product_id = :q and channel = 'SCIM_PUSH'")
                    .param("p", person).param("q", product).query(String.class).list();
            assertThat(recorded).isNotEmpty();
            assertThat(recorded.getFirst()).contains("PSEUDONYMOUS_ID").doesNotContain("GIVEN_NAME").doesNotContain("EMAIL");

            pools.withdrawDirect(pool, person, "test");
            await().atMost(Duration.ofSeconds(10)).until(() -> !supplier.users.withExternalId(externalId).getFirst().getObjectNode().path("active").asBoolean());
            assertThat(supplier.users.patches.get()).isPositive(); // the service provider offers PATCH
            assertThat(supplier.users.store).hasSize(1);
            // recorded here once the operation's settlement commits, a moment after the supplier answered
            await().atMost(Duration.ofSeconds(5)).until(() -> account(connector, person).get("active").equals(false));
        }
    }

    @Test
    void aCreateWhoseAnswerWasLostIsNotMadeTwice() {
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, DECLARED);
            UUID connector = connector(supplier.baseUrl(), supplier.token, List.of(product));
            UUID person = fx.persons.get(1);
            // the user is stored, but the answer comes after the client has given up (HTTP timeout 2 s in tests)
            supplier.users.holdNextCreateAnswer = 3_500;
            fx.license(product, List.of(person));

            await().atMost(Duration.ofSeconds(20)).until(() -> operations(connector, "DONE") == 1);
            String externalId = account(connector, person).get("external_id").toString();
            assertThat(supplier.users.withExternalId(externalId)).hasSize(1);
            assertThat(supplier.users.creates.get()).isEqualTo(1);
            assertThat(jdbc.sql("select attempts from provisioning_operation where connector_id = :c").param("c", connector).query(Integer.class).single())
                    .isEqualTo(2);
        }
    }

    /**
     * An operation's first try makes the user without looking first; a user the supplier has already (here made by an
     * earlier connector to the same supplier) is refused with 409 — userName is unique — and then found and updated,
     * never made twice.
     */
    @Test
    void aFirstTryForAUserTheSupplierHasAlreadyFindsItByTheConflict() {
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, DECLARED);
            UUID person = fx.persons.get(2);
            UUID first = connector(supplier.baseUrl(), supplier.token, List.of(product));
            fx.license(product, List.of(person));
            await().atMost(Duration.ofSeconds(20)).until(() -> operations(first, "DONE") == 1);
            assertThat(supplier.users.creates.get()).isEqualTo(1);

            UUID second = connector(supplier.baseUrl(), supplier.token, List.of(product)); // queues a SYNC for every licence holder
            await().atMost(Duration.ofSeconds(20)).until(() -> operations(second, "DONE") == 1);
            String externalId = account(second, person).get("external_id").toString();
            assertThat(supplier.users.withExternalId(externalId)).hasSize(1);
            assertThat(account(second, person).get("scim_id")).isEqualTo(account(first, person).get("scim_id"));
            assertThat(jdbc.sql("select attempts from provisioning_operation where connector_id = :c").param("c", second).query(Integer.class).single())
                    .as("found on the first try, after the supplier's 409").isEqualTo(1);
        }
    }

    @Test
    void withoutPatchTheUserIsReplaced() {
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), false)) {
            UUID first = fx.product(fx.supplierId, DECLARED);
            UUID second = fx.product(fx.supplierId, DECLARED);
            UUID connector = connector(supplier.baseUrl(), supplier.token, List.of(first, second));
            UUID person = fx.persons.get(2);
            UUID firstPool = fx.license(first, List.of(person));
            await().atMost(Duration.ofSeconds(10)).until(() -> supplier.users.store.size() == 1);
            UUID secondPool = fx.license(second, List.of(person)); // a second product served by the same connector: an update
            await().atMost(Duration.ofSeconds(10)).until(() -> supplier.users.puts.get() >= 1);

            pools.withdrawDirect(firstPool, person, "test");
            await().atMost(Duration.ofSeconds(10)).until(() -> operations(connector, "DONE") == 3);
            assertThat(firstUser(supplier).path("active").asBoolean()).isTrue(); // still holds the second product

            pools.withdrawDirect(secondPool, person, "test");
            await().atMost(Duration.ofSeconds(10)).until(() -> !firstUser(supplier).path("active").asBoolean());
            assertThat(supplier.users.patches.get()).isZero();
            assertThat(supplier.users.store).hasSize(1);
            assertThat(firstUser(supplier).path("externalId").asText()).isEqualTo(account(connector, person).get("external_id"));
        }
    }

    @Test
    void failingSuppliersHoldUpNoOtherAndEndInDeadLettersWithTheReason() throws Exception {
        List<MisbehavingSupplier> failing = new ArrayList<>();
        try (ScimTestServer healthy = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            for (MisbehavingSupplier.Mode mode : MisbehavingSupplier.Mode.values()) {
                failing.add(new MisbehavingSupplier(mode));
            }
            UUID product = fx.product(fx.supplierId, DECLARED);
            // the fixture's supplier is shared by this class's tests: what this one adds is counted
            String supplier = jdbc.sql("select name from supplier where id = :id").param("id", fx.supplierId).query(String.class).single();
            double deadBefore = meters.counter("tilldela.provisioning.failures", "supplier", supplier, "outcome", "dead").count();
            double retriedBefore = meters.counter("tilldela.provisioning.failures", "supplier", supplier, "outcome", "retried").count();
            Map<MisbehavingSupplier.Mode, UUID> connectors = new HashMap<>();
            for (MisbehavingSupplier s : failing) {
                connectors.put(s.mode, connector(s.baseUrl(), "token", List.of(product)));
            }
            UUID good = connector(healthy.baseUrl(), healthy.token, List.of(product));
            List<UUID> persons = fx.persons.subList(3, 5);
            fx.license(product, persons);

            // the healthy supplier has its users while the others are still failing
            // (settled here a moment after the supplier stored the user)
            await().atMost(Duration.ofSeconds(6)).until(() -> healthy.users.store.size() == 2 && operations(good, "DONE") == 2);
            assertThat(operations(connectors.get(MisbehavingSupplier.Mode.HANG), "DEAD")).isZero();

            await().atMost(Duration.ofSeconds(60)).until(() -> connectors.values().stream().allMatch(c -> operations(c, "DEAD") == 2));
            Map<MisbehavingSupplier.Mode, String> reasons = new HashMap<>();
            connectors.forEach((mode, c) -> {
                List<Map<String, Object>> dead = api().get().uri("/api/v1/provisioning/connectors/{id}/dead-letters", c).retrieve()
                        .body(new ParameterizedTypeReference<>() { });
                assertThat(dead).hasSize(2);
                assertThat(dead).allSatisfy(d -> assertThat(d.get("attempts")).isEqualTo(3));
                reasons.put(mode, dead.getFirst().get("reason").toString());
            });
            assertThat(reasons.get(MisbehavingSupplier.Mode.SERVER_ERROR)).contains("HTTP 500").contains("Database on fire");
            assertThat(reasons.get(MisbehavingSupplier.Mode.TOO_MANY_REQUESTS)).contains("HTTP 429");
            assertThat(reasons.get(MisbehavingSupplier.Mode.HANG)).containsIgnoringCase("timed out");
            assertThat(reasons.get(MisbehavingSupplier.Mode.MALFORMED_JSON)).containsIgnoringCase("json");
            // Retry-After: 1 was honoured between every two requests
            List<Instant> asked = failing.stream().filter(s -> s.mode == MisbehavingSupplier.Mode.TOO_MANY_REQUESTS).findFirst().orElseThrow().requests;
            for (int i = 1; i < asked.size(); i++) {
                assertThat(Duration.between(asked.get(i - 1), asked.get(i))).isGreaterThanOrEqualTo(Duration.ofMillis(950));
            }
            Map<String, Object> shown = api().get().uri("/api/v1/provisioning/connectors/{id}", connectors.get(MisbehavingSupplier.Mode.SERVER_ERROR))
                    .retrieve().body(new ParameterizedTypeReference<>() { });
            assertThat(shown.get("dead")).isEqualTo(2);
            assertThat(shown.get("lastError").toString()).contains("HTTP 500");

            // the metrics count the failures by supplier (4 failing connectors × 2 persons, each dead after being retried)
            assertThat(meters.counter("tilldela.provisioning.failures", "supplier", supplier, "outcome", "dead").count() - deadBefore).isGreaterThanOrEqualTo(8);
            assertThat(meters.counter("tilldela.provisioning.failures", "supplier", supplier, "outcome", "retried").count() - retriedBefore).isGreaterThanOrEqualTo(8);
            // and the dispatcher's count of what waits names the supplier (other tests' connectors of the same supplier may still
            // hold operations, so only that it is counted is asserted here)
            await().atMost(Duration.ofSeconds(20)).until(() -> meters.find("tilldela.provisioning.queue.depth").tag("supplier", supplier).gauge() != null);
            assertThat(meters.find("tilldela.provisioning.queue.depth").tag("supplier", supplier).gauge().value()).isNotNegative();
        } finally {
            failing.forEach(MisbehavingSupplier::close);
        }
    }

    @Test
    void deadLettersAreReplayedOnceTheCauseIsFixedAndNoSecretIsShown() {
        try (ScimTestServer supplier = new ScimTestServer("right-token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, DECLARED);
            String wrong = "wrong-token-" + UUID.randomUUID();
            UUID connector = connector(supplier.baseUrl(), wrong, List.of(product));
            List<UUID> persons = fx.persons.subList(5, 7);
            fx.license(product, persons);
            await().atMost(Duration.ofSeconds(20)).until(() -> operations(connector, "DEAD") == 2);
            assertThat(supplier.users.store).isEmpty();
            String listed = api().get().uri("/api/v1/provisioning/connectors").retrieve().body(String.class);
            assertThat(listed).contains(connector.toString()).doesNotContain(wrong);

            api().put().uri("/api/v1/provisioning/connectors/{id}", connector)
                    .body(settings(supplier.baseUrl(), supplier.token, List.of(product))).retrieve().toBodilessEntity();
            Map<String, Object> replayed = api().post().uri("/api/v1/provisioning/connectors/{id}/dead-letters/replay", connector).retrieve()
                    .body(new ParameterizedTypeReference<>() { });
            assertThat(replayed.get("replayed")).isEqualTo(2);
            await().atMost(Duration.ofSeconds(10)).until(() -> supplier.users.store.size() == 2);
            assertThat(operations(connector, "DEAD")).isZero();
            assertThat(audit.about("provisioning_connector", connector.toString())).extracting(AuditTrail.Entry::action)
                    .contains("PROVISIONING_CONNECTOR_CREATED", "PROVISIONING_CONNECTOR_CHANGED", "PROVISIONING_DEAD_LETTERS_REPLAYED");
            assertThat(audit.about("provisioning_connector", connector.toString())).allSatisfy(e ->
                    assertThat(String.valueOf(e.detail())).doesNotContain(wrong).doesNotContain(supplier.token));
            String stored = jdbc.sql("select encode(bearer_token, 'escape') from provisioning_connector where id = :id").param("id", connector)
                    .query(String.class).single();
            assertThat(stored).doesNotContain(supplier.token);
        }
    }

    @Test
    void oauthClientCredentialsFetchOneTokenForManyCalls() throws Exception {
        String clientId = "tilldela-" + UUID.randomUUID().toString().substring(0, 8);
        String secret = "secret-" + UUID.randomUUID();
        String accessToken = "issued-" + UUID.randomUUID();
        java.util.concurrent.atomic.AtomicInteger tokenRequests = new java.util.concurrent.atomic.AtomicInteger();
        com.sun.net.httpserver.HttpServer tokenEndpoint = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        // the supplier's authorization server, as RFC 6749 §4.4 has it: client authenticated with HTTP Basic, grant_type=client_credentials
        tokenEndpoint.createContext("/token", exchange -> {
            try (exchange) {
                String form = new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                String expected = "Basic " + java.util.Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                boolean ok = exchange.getRequestMethod().equals("POST") && form.contains("grant_type=client_credentials")
                        && expected.equals(exchange.getRequestHeaders().getFirst("Authorization"));
                tokenRequests.incrementAndGet();
                byte[] body = (ok ? "{\"access_token\":\"" + accessToken + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}"
                        : "{\"error\":\"invalid_client\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                exchange.sendResponseHeaders(ok ? 200 : 401, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        tokenEndpoint.start();
        try (ScimTestServer supplier = new ScimTestServer(accessToken, true)) {
            UUID product = fx.product(fx.supplierId, DECLARED);
            Map<String, Object> body = new HashMap<>(settings(supplier.baseUrl(), null, List.of(product)));
            body.remove("bearerToken");
            body.put("auth", "OAUTH_CLIENT_CREDENTIALS");
            body.put("tokenUrl", "http://127.0.0.1:" + tokenEndpoint.getAddress().getPort() + "/token");
            body.put("clientId", clientId);
            body.put("clientSecret", secret);
            Map<String, Object> created = api().post().uri("/api/v1/provisioning/connectors").body(body).retrieve()
                    .body(new ParameterizedTypeReference<>() { });
            assertThat(created.get("clientId")).isEqualTo(clientId);
            assertThat(created.toString()).doesNotContain(secret);
            fx.license(product, fx.persons.subList(7, 10));
            await().atMost(Duration.ofSeconds(10)).until(() -> supplier.users.store.size() == 3);
            assertThat(tokenRequests.get()).isEqualTo(1);
        } finally {
            tokenEndpoint.stop(0);
        }
    }

    @Test
    void groupsCarryOnlyTheConnectorsLicenceHoldersAndLeaveWithTheLastOfThem() {
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, DECLARED); // GROUPS is declared, and MINIMAL lets it go
            Map<String, Object> body = new HashMap<>(settings(supplier.baseUrl(), supplier.token, List.of(product)));
            body.put("resourceTypes", List.of("User", "Group"));
            UUID connector = UUID.fromString(api().post().uri("/api/v1/provisioning/connectors").body(body).retrieve()
                    .body(new ParameterizedTypeReference<Map<String, Object>>() { }).get("id").toString());
            List<UUID> persons = fx.persons.subList(10, 14);
            UUID pool = fx.license(product, persons);
            await().atMost(Duration.ofSeconds(15)).until(() -> operations(connector, "DONE") == persons.size());
            assertGroupsHoldExactly(supplier, connector, persons);
            assertThat(supplier.groups.store).isNotEmpty();

            pools.withdrawDirect(pool, persons.get(0), "test");
            await().atMost(Duration.ofSeconds(15)).until(() -> operations(connector, "DONE") == persons.size() + 1);
            assertGroupsHoldExactly(supplier, connector, persons.subList(1, persons.size()));
        }
    }

    /**
     * Class-mates licensed together: their users are made one by one, but each group gets all of the batch's new members
     * in one PATCH — fewer requests than memberships — and a member the supplier refuses charges only that person.
     */
    @Test
    void aBatchsNewMembersOfAGroupGoInOnePatchAndARefusedMemberChargesOnlyTheirOwn() {
        List<UUID> classmates = jdbc.sql("""
                        select m.person_id from membership m join person p on p.id = m.person_id
                        where p.protection = 'NONE' and m.person_id <> all(:taken) and m.group_id = (
                            select m2.group_id from membership m2 join person p2 on p2.id = m2.person_id
                            where p2.source = :s and p2.protection = 'NONE' and m2.person_id <> all(:taken)
                            group by m2.group_id having count(*) >= 10 order by m2.group_id limit 1)
                        order by m.person_id""")
                .param("s", fx.source).param("taken", fx.persons.toArray(UUID[]::new)).query(UUID.class).list();
        assertThat(classmates).hasSizeGreaterThanOrEqualTo(10);
        for (boolean refuseOne : List.of(false, true)) {
            List<UUID> persons = refuseOne ? classmates.subList(5, 10) : classmates.subList(0, 5);
            try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
                if (refuseOne) {
                    // the first user made is the one the supplier will not have in any group
                    supplier.groups.refuseMember = id -> !supplier.users.made.isEmpty() && supplier.users.made.getFirst().equals(id);
                }
                UUID product = fx.product(fx.supplierId, DECLARED);
                Map<String, Object> body = new HashMap<>(settings(supplier.baseUrl(), supplier.token, List.of(product)));
                body.put("resourceTypes", List.of("User", "Group"));
                UUID connector = UUID.fromString(api().post().uri("/api/v1/provisioning/connectors").body(body).retrieve()
                        .body(new ParameterizedTypeReference<Map<String, Object>>() { }).get("id").toString());
                fx.license(product, persons);
                await().atMost(Duration.ofSeconds(15)).until(() -> operations(connector, "DONE") + operations(connector, "DEAD") == persons.size());
                if (!refuseOne) {
                    assertThat(operations(connector, "DONE")).isEqualTo(persons.size());
                    assertGroupsHoldExactly(supplier, connector, persons);
                    int memberships = supplier.groups.membersPerPatch.stream().mapToInt(Integer::intValue).sum();
                    assertThat(supplier.groups.patches.get()).isEqualTo(supplier.groups.store.size()).isLessThan(memberships);
                    assertThat(supplier.groups.membersPerPatch).contains(persons.size()); // the class they share: all five at once
                } else {
                    UUID refused = persons.stream().filter(p -> supplier.users.made.getFirst().equals(account(connector, p).get("scim_id"))).findFirst()
                            .orElseThrow();
                    assertThat(operations(connector, "DEAD")).isEqualTo(1);
                    assertThat(jdbc.sql("select person_id from provisioning_operation where connector_id = :c and state = 'DEAD'")
                            .param("c", connector).query(UUID.class).single()).isEqualTo(refused);
                    assertThat(jdbc.sql("select last_error from provisioning_operation where connector_id = :c and state = 'DEAD'")
                            .param("c", connector).query(String.class).single()).contains("HTTP 400").contains("member refused by the test");
                    List<UUID> others = persons.stream().filter(p -> !p.equals(refused)).toList();
                    Map<String, Set<String>> expected = new HashMap<>();
                    for (UUID person : others) {
                        String scimId = account(connector, person).get("scim_id").toString();
                        jdbc.sql("select group_id from membership where person_id = :p").param("p", person).query(UUID.class).list()
                                .forEach(g -> expected.computeIfAbsent(g.toString(), k -> new java.util.HashSet<>()).add(scimId));
                    }
                    expected.forEach((group, members) -> assertThat(supplier.groups.members(group)).as("members of " + group).isEqualTo(members));
                }
            }
        }
    }

    /** A new connector's holders are queued class by class, so a worker's batch holds class-mates (one PATCH for their class). */
    @Test
    void aNewConnectorsHoldersAreQueuedWithClassmatesNextToEachOther() {
        // three classes' pupils, licensed in the order of their ids (which mixes the classes)
        List<UUID> pupils = jdbc.sql("""
                        select m.person_id from membership m join student_group g on g.id = m.group_id join person p on p.id = m.person_id
                        where p.source = :s and g.kind = 'CLASS' and p.protection = 'NONE' and m.person_id <> all(:taken)
                          and (select count(*) from membership m3 join student_group g3 on g3.id = m3.group_id
                               where m3.person_id = m.person_id and g3.kind = 'CLASS') = 1
                          and g.id in (
                            select g2.id from student_group g2 join membership m2 on m2.group_id = g2.id
                            where g2.source = :s and g2.kind = 'CLASS' group by g2.id having count(*) >= 4 order by g2.id desc limit 3)
                        order by m.person_id""")
                .param("s", fx.source).param("taken", fx.persons.toArray(UUID[]::new)).query(UUID.class).list();
        assertThat(pupils).hasSizeGreaterThanOrEqualTo(12);
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, DECLARED);
            fx.license(product, pupils);
            UUID connector = connector(supplier.baseUrl(), supplier.token, List.of(product)); // queues a SYNC for every holder
            List<UUID> classes = jdbc.sql("""
                            select (select m.group_id from membership m join student_group g on g.id = m.group_id
                                    where m.person_id = o.person_id and g.kind = 'CLASS') from provisioning_operation o
                            where o.connector_id = :c order by o.id""")
                    .param("c", connector).query(UUID.class).list();
            assertThat(classes).hasSize(pupils.size());
            // each class's pupils form one run: the class changes only twice along the queue
            int changes = 0;
            for (int i = 1; i < classes.size(); i++) {
                changes += classes.get(i).equals(classes.get(i - 1)) ? 0 : 1;
            }
            assertThat(new java.util.HashSet<>(classes)).hasSize(3);
            assertThat(changes).isEqualTo(2);
        }
    }

    /** A supplier that refuses the groups: the users it made are known here all the same, so a leaver is still deactivated. */
    @Test
    void anAccountMadeBeforeItsGroupsFailedIsKnownAndDeactivatedLater() {
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            supplier.groups.refuseCreates = true;
            UUID product = fx.product(fx.supplierId, DECLARED);
            Map<String, Object> body = new HashMap<>(settings(supplier.baseUrl(), supplier.token, List.of(product)));
            body.put("resourceTypes", List.of("User", "Group"));
            UUID connector = UUID.fromString(api().post().uri("/api/v1/provisioning/connectors").body(body).retrieve()
                    .body(new ParameterizedTypeReference<Map<String, Object>>() { }).get("id").toString());
            List<UUID> persons = fx.persons.subList(14, 16);
            UUID pool = fx.license(product, persons);
            await().atMost(Duration.ofSeconds(15)).until(() -> operations(connector, "DEAD") == persons.size());
            assertThat(supplier.users.store).hasSize(persons.size());
            for (UUID person : persons) {
                assertThat(supplier.users.store).containsKey(account(connector, person).get("scim_id").toString());
            }

            pools.withdrawDirect(pool, persons.get(0), "test");
            String left = account(connector, persons.get(0)).get("scim_id").toString();
            await().atMost(Duration.ofSeconds(15)).until(() -> !supplier.users.store.get(left).getObjectNode().path("active").asBoolean(true));
        }
    }

    /** Every group of these licence holders is at the supplier with exactly them as members (by their SCIM ids), and no other group is. */
    private void assertGroupsHoldExactly(ScimTestServer supplier, UUID connector, List<UUID> holders) {
        Map<String, Set<String>> expected = new HashMap<>();
        for (UUID person : holders) {
            String scimId = account(connector, person).get("scim_id").toString();
            jdbc.sql("select group_id from membership where person_id = :p").param("p", person).query(UUID.class).list()
                    .forEach(g -> expected.computeIfAbsent(g.toString(), k -> new java.util.HashSet<>()).add(scimId));
        }
        assertThat(expected).isNotEmpty();
        expected.forEach((group, members) -> assertThat(supplier.groups.members(group)).as("members of " + group).isEqualTo(members));
        assertThat(supplier.groups.store).hasSize(expected.size());
    }

    @Test
    void onlyTheAccessAdministratorKeepsConnectors() {
        String other = "scim-licadmin-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(other, "Licence admin", PASSWORD, EnumSet.of(AdminRight.LICENCE_ADMIN), "test");
        HttpStatusCode status = RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(other, PASSWORD)).build()
                .get().uri("/api/v1/provisioning/connectors").exchange((request, response) -> response.getStatusCode());
        assertThat(status.value()).isEqualTo(403);
        HttpStatusCode refused = api().post().uri("/api/v1/provisioning/connectors")
                .body(settings("http://scim.example.com/scim/v2", "token", List.of(fx.productId)))
                .exchange((request, response) -> response.getStatusCode());
        assertThat(refused.value()).isEqualTo(400); // plain http to another host than this machine
    }

    private JsonNode firstUser(ScimTestServer supplier) {
        GenericScimResource user = supplier.users.store.values().iterator().next();
        return user.getObjectNode();
    }

    private UUID connector(String baseUrl, String token, List<UUID> products) {
        Map<String, Object> created = api().post().uri("/api/v1/provisioning/connectors").body(settings(baseUrl, token, products)).retrieve()
                .body(new ParameterizedTypeReference<>() { });
        assertThat(created).doesNotContainKey("bearerToken");
        return UUID.fromString(created.get("id").toString());
    }

    private Map<String, Object> settings(String baseUrl, String token, List<UUID> products) {
        Map<String, Object> settings = new HashMap<>(Map.of("supplierId", fx.supplierId, "name", "SCIM " + UUID.randomUUID().toString().substring(0, 6),
                "baseUrl", baseUrl, "auth", "BEARER", "productIds", products));
        if (token != null) {
            settings.put("bearerToken", token);
        }
        return settings;
    }

    private Map<String, Object> account(UUID connector, UUID person) {
        return jdbc.sql("select external_id, scim_id, active from provisioned_account where connector_id = :c and person_id = :p")
                .param("c", connector).param("p", person).query().singleRow();
    }

    private int operations(UUID connector, String state) {
        return jdbc.sql("select count(*) from provisioning_operation where connector_id = :c and state = :s").param("c", connector).param("s", state)
                .query(Integer.class).single();
    }

    private RestClient api() {
        return RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(admin, PASSWORD)).build();
    }
}
