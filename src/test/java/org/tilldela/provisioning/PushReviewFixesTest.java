package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.access.AccessFixture;
import org.tilldela.access.AttributePackage;
import org.tilldela.access.DataAccessAgreement;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.access.NewDataAccessRequest;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.licensing.LicencePools;

/**
 * The push pipeline's review findings, each shown failing without its fix: dead letters replayed from today's state;
 * group steps under the group's lock, with no transaction open while the supplier answers and a lost group's other
 * members added again; a batch whose release fails for one person; a connector whose secret cannot be decrypted;
 * licence-end deactivations and concurrent bursts counted by the deletion brake; dead-letter text masked; connector
 * addresses inside the network refused.
 */
class PushReviewFixesTest extends IntegrationTest {

    private static final String PASSWORD = "push-review-password";
    private static final Set<Attribute> WITH_GROUPS = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ROLES, Attribute.GROUPS);
    private static AccessFixture fx;
    private static String admin;

    @Autowired io.micrometer.core.instrument.MeterRegistry meters;
    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired AdminAccounts accounts;
    @Autowired Connectors connectors;
    @Autowired DataAccessAgreements agreements;
    @Autowired DataSource dataSource;
    @Autowired Outbox outbox;
    @Autowired PlatformTransactionManager transactions;
    @Autowired EgilPush egil;
    @Autowired ProvisioningSettings settings;
    @Autowired Queue queue;
    @Autowired ReleasePolicy policy;
    @Autowired GroupMemberships groups;
    @Autowired DeletionRequests deletions;
    @Autowired ConnectorHosts hosts;
    @Autowired BolOrders bolOrders;
    @Autowired BolAssignments bolAssignments;
    @Autowired tools.jackson.databind.json.JsonMapper json;

    @BeforeEach
    void fixture() throws Exception {
        if (fx == null) {
            fx = new AccessFixture(imports, jdbc, catalog, pools);
            admin = "push-review-" + fx.source;
            accounts.create(admin, "Provisionering", PASSWORD, EnumSet.of(AdminRight.ACCESS_ADMIN), "test");
        }
    }

    /** (a) An old DEACTIVATE that died, replayed after the pupil came back: a new SYNC is queued, the account stays active. */
    @Test
    void aReplayedDeadLetterIsANewOperationFromTodaysState() {
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ROLES));
            UUID connector = connector(supplier.baseUrl(), supplier.token, product, List.of("User"), true);
            UUID person = fx.persons.get(0);
            fx.license(product, List.of(person));
            await().atMost(Duration.ofSeconds(20)).until(() -> count(connector, "DONE") == 1);
            long dead = jdbc.sql("""
                            insert into provisioning_operation (connector_id, person_id, kind, cause, state, attempts, last_error, finished_at)
                            values (:c, :p, 'DEACTIVATE', 'PERSON_LEFT', 'DEAD', 3, 'HTTP 500: unavailable', now()) returning id""")
                    .param("c", connector).param("p", person).query(Long.class).single();

            int status = api().post().uri("/api/v1/provisioning/connectors/{id}/dead-letters/{op}/replay", connector, dead)
                    .exchange((request, response) -> response.getStatusCode().value());
            assertThat(status).isEqualTo(202);
            Map<String, Object> old = jdbc.sql("select state, replayed_by from provisioning_operation where id = :id").param("id", dead).query().singleRow();
            assertThat(old.get("state")).isEqualTo("REPLAYED");
            long replacement = ((Number) old.get("replayed_by")).longValue();
            assertThat(replacement).isGreaterThan(dead);
            await().atMost(Duration.ofSeconds(20)).until(() -> "DONE".equals(state(replacement)));
            assertThat(jdbc.sql("select kind from provisioning_operation where id = :id").param("id", replacement).query(String.class).single())
                    .isEqualTo("SYNC");
            assertThat(supplier.users.store.values()).singleElement().satisfies(u -> assertThat(u.getObjectNode().path("active").asBoolean()).isTrue());
        }
    }

    /** (b) The supplier removed a group: the next member's 404 makes it anew, and the members it had are added to it again. */
    @Test
    void aGroupRemovedAtTheSupplierIsMadeAgainWithAllItsMembers() {
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, WITH_GROUPS);
            UUID connector = connector(supplier.baseUrl(), supplier.token, product, List.of("User", "Group"), true);
            UUID group = jdbc.sql("""
                            select m.group_id from membership m join person p on p.id = m.person_id where p.source = :s and p.protection = 'NONE'
                            group by m.group_id having count(*) >= 3 order by m.group_id desc limit 1""")
                    .param("s", fx.source).query(UUID.class).single();
            List<UUID> members = jdbc.sql("""
                            select m.person_id from membership m join person p on p.id = m.person_id where m.group_id = :g and p.protection = 'NONE'
                            order by m.person_id limit 3""").param("g", group).query(UUID.class).list();
            fx.license(product, members.subList(0, 2));
            await().atMost(Duration.ofSeconds(20)).until(() -> count(connector, "DONE") == 2);
            assertThat(supplier.groups.members(group.toString())).hasSize(2);

            supplier.groups.store.values().removeIf(g -> group.toString().equals(g.getObjectNode().path("externalId").asText()));
            fx.license(product, members.subList(2, 3));
            Set<String> all = new HashSet<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                all.clear();
                members.forEach(p -> all.add(scimId(connector, p)));
                return all.equals(supplier.groups.members(group.toString()));
            });
            assertThat(supplier.groups.withExternalId(group.toString())).hasSize(1);
        }
    }

    /** (b) A member's removal, and the empty group's deletion, wait for the group's lock. */
    @Test
    void removingAMemberWaitsForTheGroupsLock() throws Exception {
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, WITH_GROUPS);
            UUID connector = connector(supplier.baseUrl(), supplier.token, product, List.of("User", "Group"), true);
            UUID person = fx.persons.get(1);
            UUID pool = fx.license(product, List.of(person));
            await().atMost(Duration.ofSeconds(20)).until(() -> count(connector, "DONE") == 1);
            UUID group = jdbc.sql("select group_id from provisioned_membership where connector_id = :c and person_id = :p order by group_id limit 1")
                    .param("c", connector).param("p", person).query(UUID.class).single();
            try (Connection other = dataSource.getConnection()) {
                lock(other, "select pg_advisory_lock(hashtextextended(?, 0))", GroupMemberships.lockKey(connector, group));
                pools.withdrawDirect(pool, person, "test");
                Thread.sleep(1500);
                assertThat(supplier.groups.members(group.toString())).as("the group is left alone while its lock is held").isNotNull()
                        .contains(scimId(connector, person));
                lock(other, "select pg_advisory_unlock(hashtextextended(?, 0))", GroupMemberships.lockKey(connector, group));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> supplier.groups.members(group.toString()) == null);
        }
    }

    /** (b) While the supplier makes a group, the worker holding the group's lock has no transaction open. */
    @Test
    void noTransactionIsOpenWhileTheSupplierMakesAGroup() {
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, WITH_GROUPS);
            UUID connector = connector(supplier.baseUrl(), supplier.token, product, List.of("User", "Group"), true);
            UUID person = fx.persons.get(2);
            List<String> keys = jdbc.sql("select group_id from membership where person_id = :p").param("p", person).query(UUID.class).list().stream()
                    .map(g -> GroupMemberships.lockKey(connector, g)).toList();
            assertThat(keys).isNotEmpty();
            supplier.groups.holdNextCreateAnswer = 1_500;
            fx.license(product, List.of(person));
            Set<String> states = new HashSet<>();
            long until = System.currentTimeMillis() + 15_000; // ample on a busy machine; the loop ends when the operation is done
            while (System.currentTimeMillis() < until && count(connector, "DONE") == 0) {
                states.addAll(jdbc.sql("""
                                select a.state from pg_locks l join pg_stat_activity a on a.pid = l.pid
                                where l.locktype = 'advisory' and l.granted and l.objsubid = 1
                                  and exists (select 1 from unnest(cast(:keys as text[])) k
                                              where l.objid::bigint = (hashtextextended(k, 0) & 4294967295)
                                                and l.classid::bigint = ((hashtextextended(k, 0) >> 32) & 4294967295))
                                """).param("keys", keys.toArray(String[]::new)).query(String.class).list());
                sleep(50);
            }
            assertThat(states).as("the lock holder was seen while the supplier took its time").isNotEmpty();
            assertThat(states).doesNotContain("idle in transaction", "idle in transaction (aborted)");
        }
    }

    /** (c) One person whose release fails does not charge the batch's first operation, which goes through. */
    @Test
    void aPersonWhoseReleaseFailsIsChargedAloneAndTheOthersGoThrough() {
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ROLES));
            // paused: the server's workers leave it alone; this test's worker pushes a batch it claimed itself
            UUID connector = connector(supplier.baseUrl(), supplier.token, product, List.of("User"), false);
            UUID good = fx.persons.get(3);
            UUID bad = fx.persons.get(4);
            fx.license(product, List.of(good, bad));
            Queue.Op first = claimed(connector, good);
            Queue.Op second = claimed(connector, bad);
            ReleasePolicy failing = Mockito.mock(ReleasePolicy.class, Mockito.withSettings().mockMaker(org.mockito.MockMakers.SUBCLASS)
                    .defaultAnswer(invocation -> {
                        if (invocation.getMethod().getName().equals("releaseAll") && ((Collection<?>) invocation.getArgument(0)).contains(bad)) {
                            throw new IllegalStateException("a record that cannot be read");
                        }
                        try {
                            return invocation.getMethod().invoke(policy, invocation.getArguments());
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    }));
            ProvisioningWorker worker = new ProvisioningWorker(settings, queue, connectors, failing, groups, egil, deletions, transactions, hosts, meters,
                    bolOrders, bolAssignments, json);
            try {
                worker.push(connector, List.of(first, second));
            } finally {
                worker.stop();
            }
            assertThat(state(first.id())).isEqualTo("DONE");
            assertThat(supplier.users.store).hasSize(1);
            Map<String, Object> charged = jdbc.sql("select state, attempts, last_error from provisioning_operation where id = :id").param("id", second.id())
                    .query().singleRow();
            assertThat(charged.get("state")).isEqualTo("PENDING");
            assertThat(charged.get("attempts")).isEqualTo(1);
            assertThat(charged.get("last_error").toString()).contains("release could not be decided");
        }
    }

    /** (c) A connector whose secret cannot be decrypted: its operations go back to the queue with the reason, none stays in flight. */
    @Test
    void aSecretThatCannotBeDecryptedLeavesNothingInFlight() {
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ROLES));
            UUID connector = connector(supplier.baseUrl(), supplier.token, product, List.of("User"), true);
            jdbc.sql("update provisioning_connector set bearer_token = decode('00112233445566778899aabbccddeeff0011223344556677', 'hex') where id = :c")
                    .param("c", connector).update();
            fx.license(product, List.of(fx.persons.get(5)));
            await().atMost(Duration.ofSeconds(20)).until(() -> String.valueOf(connectors.get(connector).orElseThrow().lastError()).contains("decrypted"));
            connectors.setEnabled(connector, false, "test");
            sleep(1000);
            assertThat(jdbc.sql("select state || ':' || coalesce(last_error, '') from provisioning_operation where connector_id = :c").param("c", connector)
                    .query(String.class).list()).singleElement().satisfies(s -> assertThat(s).startsWith("PENDING:").contains("decrypted"));
            assertThat(supplier.users.store).isEmpty();
        }
    }

    /** (d) Licences ending deactivate accounts, and the deletion brake counts those as it counts leavers. */
    @Test
    void licenceEndDeactivationsAreHeldByTheBrake() {
        UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ROLES));
        UUID connector = connector("https://scim.paused.example/v2", "token", product, List.of("User"), false);
        List<UUID> holders = fx.persons.subList(6, 16);
        UUID pool = fx.license(product, holders);
        accounts(connector, holders);
        pools.withdrawDirect(pool, holders.get(0), "test");
        assertThat(connectors.get(connector).orElseThrow().brakeHeldAt()).as("1 of 10 is not over 10%").isNull();
        pools.withdrawDirect(pool, holders.get(1), "test");
        Connector held = connectors.get(connector).orElseThrow();
        assertThat(held.brakeHeldAt()).as("2 of 10 is").isNotNull();
        assertThat(held.held()).isEqualTo(2);
        assertThat(jdbc.sql("select count(*) from provisioning_operation where connector_id = :c and kind = 'DEACTIVATE' and cause = 'LICENCE_ENDED'")
                .param("c", connector).query(Long.class).single()).isEqualTo(2);
    }

    /** (d) Two transactions queueing deactivations at once, each under the share but together over it: the second sees the first's. */
    @Test
    void concurrentBurstsAreCountedTogether() throws Exception {
        UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID));
        UUID connector = connectors.create(new Connector.Settings(fx.supplierId, "Samtidiga", "https://scim.paused.example/v2", Connector.Auth.BEARER,
                "token", null, null, null, null, List.of(product), false, 15.0), "test").id();
        List<UUID> persons = java.util.stream.Stream.generate(UUID::randomUUID).limit(10).toList();
        accounts(connector, persons);
        TransactionTemplate tx = new TransactionTemplate(transactions);
        CountDownLatch firstChecked = new CountDownLatch(1);
        Thread first = Thread.ofVirtual().start(() -> tx.executeWithoutResult(s -> {
            outbox.enqueueForAccounts(List.of(persons.get(0)), "DEACTIVATE", "PERSON_LEFT", true);
            firstChecked.countDown();
            sleep(1000); // still open while the second one queues and checks
        }));
        assertThat(firstChecked.await(10, TimeUnit.SECONDS)).isTrue();
        tx.executeWithoutResult(s -> outbox.enqueueForAccounts(List.of(persons.get(1)), "DEACTIVATE", "PERSON_LEFT", true));
        first.join(10_000);
        Connector held = connectors.get(connector).orElseThrow();
        assertThat(held.brakeHeldAt()).as("2 of 10 is over 15%").isNotNull();
        assertThat(held.held()).isEqualTo(2);
    }

    /** (e) A supplier that echoes what it was sent in its error: the dead letter keeps its words, trimmed, without the person's names. */
    @Test
    void deadLetterTextIsTrimmedAndMasksWhatWeSent() throws Exception {
        ObjectMapper json = new ObjectMapper();
        HttpServer echo = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        echo.createContext("/", exchange -> {
            try (exchange) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                ObjectNode answer = json.createObjectNode();
                int status;
                if (exchange.getRequestMethod().equals("GET")) {
                    status = 200;
                    answer.putArray("schemas").add("urn:ietf:params:scim:api:messages:2.0:ListResponse");
                    answer.put("totalResults", 0).putArray("Resources");
                } else {
                    status = 400;
                    answer.putArray("schemas").add("urn:ietf:params:scim:api:messages:2.0:Error");
                    answer.put("status", "400").put("scimType", "invalidValue")
                            .put("detail", "Rejected:\n\n   " + body + "\n" + " ".repeat(200) + "x".repeat(3000));
                }
                byte[] bytes = json.writeValueAsBytes(answer);
                exchange.getResponseHeaders().set("Content-Type", "application/scim+json");
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
        echo.start();
        try {
            UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME, Attribute.ROLES));
            DataAccessAgreement filed = agreements.file(fx.supplierId,
                    new NewDataAccessRequest(product, fx.organiserId, AttributePackage.SMALL, Set.of(), "Inloggning", "Allmänt intresse", 30), "supplier");
            agreements.approve(filed.id(), null, null, "school-admin");
            UUID connector = connector("http://127.0.0.1:" + echo.getAddress().getPort() + "/scim/v2", "token", product, List.of("User"), true);
            UUID person = fx.persons.get(17);
            fx.license(product, List.of(person));
            await().atMost(Duration.ofSeconds(20)).until(() -> count(connector, "DEAD") == 1);
            Map<String, Object> names = jdbc.sql("select given_name, family_name from person where id = :p").param("p", person).query().singleRow();
            List<Map<String, Object>> dead = api().get().uri("/api/v1/provisioning/connectors/{id}/dead-letters", connector).retrieve()
                    .body(new ParameterizedTypeReference<>() { });
            String reason = dead.getFirst().get("reason").toString();
            assertThat(reason).startsWith("HTTP 400: Rejected: {").contains("[…]").doesNotContain("\n").doesNotContain("  ");
            // as whole words: a short name ("Ada") can be a part of a hex id or a JSON key
            java.util.function.Function<Object, String> word = n -> "(?iu)(?<![\\p{L}\\p{N}])" + java.util.regex.Pattern.quote(n.toString())
                    + "(?![\\p{L}\\p{N}])";
            assertThat(reason).doesNotContainPattern(word.apply(names.get("given_name"))).doesNotContainPattern(word.apply(names.get("family_name")));
            assertThat(reason.length()).isLessThanOrEqualTo(ProvisioningWorker.Failure.MAX_REASON + 1);
        } finally {
            echo.stop(0);
        }
    }

    /**
     * (g) A deactivation sends nothing, so there was nothing sent to mask its refusal with: a supplier that echoes the
     * pupil's name and e-mail address (and civic numbers) in its 400 leaves none of it in the dead letter, the
     * connector's last error, the dead-letter API or the connector's page — masked with the directory's values and the
     * patterns of e-mail addresses and civic numbers — and nothing is written to the ledger for it.
     */
    @Test
    void aRefusedDeactivationsEchoIsMaskedToo() {
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME, Attribute.EMAIL,
                    Attribute.ROLES));
            DataAccessAgreement filed = agreements.file(fx.supplierId,
                    new NewDataAccessRequest(product, fx.organiserId, AttributePackage.MEDIUM, Set.of(), "Inloggning", "Allmänt intresse", 30), "supplier");
            agreements.approve(filed.id(), null, null, "school-admin");
            UUID connector = connector(supplier.baseUrl(), supplier.token, product, List.of("User"), true);
            UUID person = fx.persons.get(18);
            UUID pool = fx.license(product, List.of(person));
            await().atMost(Duration.ofSeconds(20)).until(() -> count(connector, "DONE") == 1);
            Map<String, Object> him = jdbc.sql("select given_name, family_name, email from person where id = :p").param("p", person).query().singleRow();
            assertThat(supplier.users.store.values()).singleElement().satisfies(u -> assertThat(u.getObjectNode().path("emails").path(0).path("value")
                    .asText()).isEqualTo(him.get("email")));
            long ledger = jdbc.sql("select count(*) from disclosure where person_id = :p").param("p", person).query(Long.class).single();

            supplier.users.refuseDeactivation = true;
            pools.withdrawDirect(pool, person, "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> count(connector, "DEAD") == 1);

            String stored = jdbc.sql("select last_error from provisioning_operation where connector_id = :c and state = 'DEAD'").param("c", connector)
                    .query(String.class).single();
            assertThat(jdbc.sql("select kind from provisioning_operation where connector_id = :c and state = 'DEAD'").param("c", connector)
                    .query(String.class).single()).isEqualTo("DEACTIVATE");
            assertThat(stored).isEqualTo("HTTP 400: User […] <[…]> (personnummer […], CPR […], guardian […]) may not be deactivated during term");
            String lastError = connectors.get(connector).orElseThrow().lastError();
            List<Map<String, Object>> dead = api().get().uri("/api/v1/provisioning/connectors/{id}/dead-letters", connector).retrieve()
                    .body(new ParameterizedTypeReference<>() { });
            Map<String, Object> shown = api().get().uri("/api/v1/provisioning/connectors/{id}", connector).retrieve()
                    .body(new ParameterizedTypeReference<>() { });
            for (String text : List.of(stored, lastError, dead.getFirst().get("reason").toString(), String.valueOf(shown.get("lastError")))) {
                assertThat(text).contains("may not be deactivated")
                        .doesNotContainIgnoringCase(him.get("given_name").toString()).doesNotContainIgnoringCase(him.get("family_name").toString())
                        .doesNotContainIgnoringCase(him.get("email").toString())
                        .doesNotContain("20100312-2385").doesNotContain("120310-2385").doesNotContain("maria.berg@example.org");
            }
            // the page names the person a dead letter is about (as it does every one, for the administrator); the supplier's words about them are masked
            String page = new WebSession(Integer.parseInt(baseUrl().substring(baseUrl().lastIndexOf(':') + 1))).signIn(admin, PASSWORD).get("/provisioning/connectors/" + connector).body();
            assertThat(page).contains("may not be deactivated").contains("User […] &lt;[…]&gt;")
                    .doesNotContainIgnoringCase("User " + him.get("given_name")).doesNotContainIgnoringCase(him.get("email").toString())
                    .doesNotContain("20100312-2385").doesNotContain("120310-2385").doesNotContain("maria.berg@example.org");
            assertThat(jdbc.sql("select count(*) from disclosure where person_id = :p").param("p", person).query(Long.class).single())
                    .as("reading the directory to mask is no release").isEqualTo(ledger);
        }
    }

    /** (f) A connector may not point inside the network unless the operator listed the host (tests list only the loopback). */
    @Test
    void connectorAddressesInsideTheNetworkAreRefused() {
        UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID));
        for (String url : List.of("https://192.168.10.20/scim/v2", "https://169.254.169.254/latest", "https://10.1.2.3:8443/scim")) {
            Map<String, Object> body = new HashMap<>(Map.of("supplierId", fx.supplierId, "name", "Intern", "baseUrl", url, "auth", "BEARER",
                    "bearerToken", "token", "productIds", List.of(product)));
            int status = api().post().uri("/api/v1/provisioning/connectors").body(body).exchange((request, response) -> response.getStatusCode().value());
            assertThat(status).as(url).isEqualTo(400);
        }
    }

    private Queue.Op claimed(UUID connector, UUID person) {
        long id = jdbc.sql("""
                        insert into provisioning_operation (connector_id, person_id, kind, cause, state, attempts, lease_until)
                        values (:c, :p, 'SYNC', 'test', 'IN_FLIGHT', 1, now() + interval '5 minutes') returning id""")
                .param("c", connector).param("p", person).query(Long.class).single();
        return new Queue.Op(id, connector, person, "SYNC", "test", 1, null);
    }

    private void accounts(UUID connector, List<UUID> persons) {
        for (UUID p : persons) {
            jdbc.sql("insert into provisioned_account (connector_id, person_id, scim_id, external_id, active) values (:c, :p, :s, :e, true)")
                    .param("c", connector).param("p", p).param("s", UUID.randomUUID().toString()).param("e", UUID.randomUUID().toString()).update();
        }
    }

    private static void lock(Connection c, String sql, String key) throws Exception {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, key);
            s.execute();
        }
    }

    private UUID connector(String baseUrl, String token, UUID product, List<String> types, boolean enabled) {
        return connectors.create(new Connector.Settings(fx.supplierId, "Granskning " + UUID.randomUUID().toString().substring(0, 6), baseUrl,
                Connector.Auth.BEARER, token, null, null, null, types, List.of(product), enabled), "test").id();
    }

    private String scimId(UUID connector, UUID person) {
        return jdbc.sql("select scim_id from provisioned_account where connector_id = :c and person_id = :p").param("c", connector).param("p", person)
                .query(String.class).optional().orElse("");
    }

    private String state(long id) {
        return jdbc.sql("select state from provisioning_operation where id = :id").param("id", id).query(String.class).single();
    }

    private int count(UUID connector, String state) {
        return jdbc.sql("select count(*) from provisioning_operation where connector_id = :c and state = :s").param("c", connector).param("s", state)
                .query(Integer.class).single();
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
