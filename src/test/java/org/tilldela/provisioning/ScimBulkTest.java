package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import de.captaingoldfish.scim.sdk.common.resources.User;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.ledger.Channel;
import org.tilldela.licensing.LicencePools;
import org.tilldela.provisioning.cli.SupplierScimServer;

/**
 * SCIM Bulk (RFC 7644 §3.7) against an independent implementation that offers it: Captain Goldfish's SCIM SDK
 * server ({@link SupplierScimServer}: the library routes, validates, resolves bulkIds and enforces maxOperations and
 * maxPayloadSize; only the in-memory store is ours). Licence holders reach it in Bulk requests within its limits,
 * with their groups; each outbox operation is settled by its own answers; without Bulk each operation goes alone.
 */
class ScimBulkTest extends IntegrationTest {

    private static final String PASSWORD = "provisioning-api-password";
    private static final Set<Attribute> DECLARED = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME,
            Attribute.EMAIL, Attribute.ROLES, Attribute.SCHOOL_UNIT, Attribute.GROUPS);
    private static AccessFixture fx;
    private static String admin;
    private static List<UUID> pupils;

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired AdminAccounts accounts;
    @Autowired ReleasePolicy policy;
    @Autowired PlatformTransactionManager transactions;

    @BeforeEach
    void fixture() throws Exception {
        if (fx == null) {
            fx = new AccessFixture(imports, jdbc, catalog, pools);
            admin = "scim-bulk-admin-" + fx.source;
            accounts.create(admin, "Provisioning admin", PASSWORD, EnumSet.of(AdminRight.ACCESS_ADMIN), "test");
            // pupils of this test's own municipality that the fixture licensed for nothing
            pupils = jdbc.sql("""
                            select distinct p.id from person p join enrolment e on e.person_id = p.id
                            where p.source = :s and p.protection = 'NONE' and p.id <> all(:taken) order by p.id limit 80
                            """)
                    .param("s", fx.source).param("taken", fx.persons.toArray(UUID[]::new)).query(UUID.class).list();
        }
    }

    @Test
    void licenceHoldersGoInBulkRequestsWithinTheSuppliersLimitsWithTheirGroups() throws Exception {
        try (SupplierScimServer supplier = new SupplierScimServer("token-" + UUID.randomUUID(), true, 7, 6_000)) {
            UUID product = fx.product(fx.supplierId, DECLARED);
            UUID connector = connector(supplier, product);
            List<UUID> persons = pupils.subList(0, 12);
            UUID pool = fx.license(product, persons);

            await().atMost(Duration.ofSeconds(20)).until(() -> operations(connector, "DONE") == persons.size());
            Map<String, Integer> requests = supplier.requests();
            assertThat(requests.getOrDefault("POST Bulk", 0)).as("requests: " + requests).isGreaterThan(1); // 12 persons > 7 operations
            assertThat(requests).doesNotContainKey("POST Users"); // every user made in a Bulk request
            assertThat(supplier.largestBulkBytes()).isLessThanOrEqualTo(6_000);
            assertThat(supplier.userCount()).isEqualTo(persons.size());
            for (UUID person : persons) {
                Map<String, Object> account = account(connector, person);
                User user = supplier.users().get(account.get("scim_id").toString());
                assertThat(user).as("the recorded account is the supplier's user").isNotNull();
                assertThat(user.getExternalId()).contains(account.get("external_id").toString());
                assertThat(user.isActive()).contains(true);
                assertThat(user.getName().flatMap(n -> n.getGivenName())).isEmpty(); // MINIMAL: no names went
            }
            assertGroupsHoldExactly(supplier, connector, persons); // memberships by bulkId references in the same requests
            assertThat(jdbc.sql("select max(attempts) from provisioning_operation where connector_id = :c").param("c", connector).query(Integer.class)
                    .single()).isEqualTo(1);
            // what left is in the disclosure ledger, one record per person for this product and channel
            assertThat(jdbc.sql("select count(distinct person_id) from disclosure where product_id = :q and channel = 'SCIM_PUSH'").param("q", product)
                    .query(Integer.class).single()).isEqualTo(persons.size());

            // a licence ends: active=false by a Bulk PATCH, and out of its groups
            pools.withdrawDirect(pool, persons.get(0), "test");
            String left = account(connector, persons.get(0)).get("scim_id").toString();
            await().atMost(Duration.ofSeconds(20)).until(() -> operations(connector, "DONE") == persons.size() + 1);
            assertThat(supplier.users().get(left).isActive()).contains(false);
            // a group left empty is removed just after the operation is settled
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertGroupsHoldExactly(supplier, connector, persons.subList(1, persons.size())));
            assertThat(supplier.requests()).doesNotContainKey("PATCH Users").doesNotContainKey("PATCH Groups");
        }
    }

    @Test
    void onePersonsFailureIsNotChargedToTheOthersInTheSameRequest() throws Exception {
        try (SupplierScimServer supplier = new SupplierScimServer("token-" + UUID.randomUUID(), true, 1000, 1_048_576)) {
            UUID product = fx.product(fx.supplierId, DECLARED);
            List<UUID> persons = pupils.subList(20, 30);
            UUID refused = persons.get(3);
            UUID failing = persons.get(6);
            fx.license(product, persons); // before the connector: its creation queues a SYNC for every holder
            supplier.refuseUserNamesStartingWith = userName(refused, product); // 400 for this one: a dead letter at once
            supplier.failOnceUserNamesStartingWith = userName(failing, product); // 500 for this one, once: retried
            UUID connector = connector(supplier, product);

            await().atMost(Duration.ofSeconds(20)).until(() -> operations(connector, "DONE") == persons.size() - 1);

            Map<String, Object> dead = jdbc.sql("select state, attempts, last_error from provisioning_operation where connector_id = :c and person_id = :p")
                    .param("c", connector).param("p", refused).query().singleRow();
            assertThat(dead.get("state")).isEqualTo("DEAD");
            assertThat(dead.get("attempts")).isEqualTo(1);
            assertThat(dead.get("last_error").toString()).startsWith("HTTP 400").contains("refuses the userName");
            for (UUID person : persons) {
                if (!person.equals(refused) && !person.equals(failing)) {
                    assertThat(attempts(connector, person)).as("charged only with its own attempt").isEqualTo(1);
                }
            }
            assertThat(attempts(connector, failing)).isEqualTo(2); // its retry looked for the user first, then made it
            String failingId = account(connector, failing).get("external_id").toString();
            assertThat(supplier.usersWithExternalId(failingId)).isEqualTo(1);
            assertThat(supplier.userCount()).isEqualTo(persons.size() - 1);
            assertGroupsHoldExactly(supplier, connector, persons.stream().filter(p -> !p.equals(refused)).toList());
        }
    }

    /** A user the supplier already has (a create whose answer was lost): the Bulk POST gets 409, and the one-by-one path finds and updates it. */
    @Test
    void aUserTheSupplierHasAlreadyIsFoundNotMadeTwice() throws Exception {
        try (SupplierScimServer supplier = new SupplierScimServer("token-" + UUID.randomUUID(), true, 1000, 1_048_576)) {
            UUID product = fx.product(fx.supplierId, DECLARED);
            UUID person = pupils.get(40);
            fx.license(product, List.of(person)); // before the connector: its creation queues a SYNC for the holder
            String pseudonym = userName(person, product);
            HttpResponse<String> made = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(supplier.baseUrl() + "/Users"))
                    .header("Authorization", "Bearer " + supplier.token()).header("Content-Type", "application/scim+json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"" + pseudonym
                            + "\",\"externalId\":\"" + pseudonym + "\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(made.statusCode()).isEqualTo(201);
            String existing = supplier.userWithExternalId(pseudonym).orElseThrow().getId().orElseThrow();
            UUID connector = connector(supplier, product);

            await().atMost(Duration.ofSeconds(20)).until(() -> operations(connector, "DONE") == 1);
            assertThat(supplier.usersWithExternalId(pseudonym)).isEqualTo(1);
            assertThat(account(connector, person).get("scim_id")).isEqualTo(existing);
            assertThat(supplier.requests()).containsKey("POST Bulk").containsKey("GET Users");
        }
    }

    /**
     * A Bulk request the supplier fails as a whole (one operation's data makes it choke) is nobody's fault in
     * particular: it goes one by one, where only the poisonous operation is charged; the others are done at their
     * first attempt, not dead-lettered with it.
     */
    @Test
    void aRequestThatFailsAsAWholeGoesOneByOneAndChargesOnlyItsOwnFailures() throws Exception {
        try (SupplierScimServer supplier = new SupplierScimServer("token-" + UUID.randomUUID(), true, 1000, 1_048_576)) {
            UUID product = fx.product(fx.supplierId, DECLARED);
            List<UUID> persons = pupils.subList(60, 66);
            UUID poison = persons.get(2);
            fx.license(product, persons); // before the connector: its creation queues a SYNC for every holder, claimed as one batch
            supplier.failBulkWhenContaining = userName(poison, product);
            supplier.refuseUserNamesStartingWith = userName(poison, product); // and refused on its own, too
            UUID connector = connector(supplier, product);

            await().atMost(Duration.ofSeconds(20)).until(() -> operations(connector, "DONE") == persons.size() - 1 && operations(connector, "DEAD") == 1);
            assertThat(supplier.requests().getOrDefault("POST Bulk", 0)).isGreaterThanOrEqualTo(1);
            assertThat(supplier.requests()).containsEntry("POST Users", persons.size()); // one by one after the failed request
            for (UUID person : persons) {
                assertThat(attempts(connector, person)).as("one attempt each, the failed Bulk request charged to nobody").isEqualTo(1);
            }
            assertThat(jdbc.sql("select state from provisioning_operation where connector_id = :c and person_id = :p").param("c", connector)
                    .param("p", poison).query(String.class).single()).isEqualTo("DEAD");
            assertThat(supplier.userCount()).isEqualTo(persons.size() - 1);
            assertGroupsHoldExactly(supplier, connector, persons.stream().filter(p -> !p.equals(poison)).toList());
        }
    }

    /**
     * A supplier that answers without bulkIds is read by position; one that leaves an operation unanswered charges
     * that operation an attempt (so it cannot come back for ever), and its retry finds the user the request made.
     * What was sent is remembered as a digest for reconciliation, as on the one-by-one path.
     */
    @Test
    void answersWithoutBulkIdsAreReadByPositionAndAnUnansweredOperationIsAnAttempt() throws Exception {
        try (SupplierScimServer supplier = new SupplierScimServer("token-" + UUID.randomUUID(), true, 1000, 1_048_576)) {
            UUID product = fx.product(fx.supplierId, DECLARED);
            List<UUID> persons = pupils.subList(67, 73);
            fx.license(product, persons);
            supplier.omitBulkIdsInAnswers = true;
            supplier.dropLastBulkAnswerAbout = "Users"; // the first request's last answer is missing: position no longer works for it
            UUID connector = connector(supplier, product);

            await().atMost(Duration.ofSeconds(30)).until(() -> operations(connector, "DONE") == persons.size());
            List<Integer> attempts = persons.stream().map(p -> attempts(connector, p)).toList();
            assertThat(attempts).as("the person whose answer was missing tried twice, the others once").contains(2).allMatch(a -> a <= 2);
            for (UUID person : persons) {
                Map<String, Object> account = account(connector, person);
                assertThat(supplier.usersWithExternalId(account.get("external_id").toString())).isEqualTo(1);
                assertThat(jdbc.sql("select sent_digest from provisioned_account where connector_id = :c and person_id = :p").param("c", connector)
                        .param("p", person).query(String.class).single()).as("digest of what was sent").isNotBlank();
            }
            assertGroupsHoldExactly(supplier, connector, persons);
        }
    }

    /**
     * The groups a batch's persons join are looked for together in one filter request and made together in one Bulk
     * request, not one lookup and one create each; a group whose answer was lost is found by its externalId on the
     * next look, never made twice.
     */
    @Test
    void groupsAreMadeTogetherAndALostAnswerDoesNotMakeAGroupTwice() throws Exception {
        try (SupplierScimServer supplier = new SupplierScimServer("token-" + UUID.randomUUID(), true, 1000, 1_048_576)) {
            UUID product = fx.product(fx.supplierId, DECLARED);
            List<UUID> persons = pupils.subList(74, 80);
            fx.license(product, persons);
            supplier.dropLastBulkAnswerAbout = "Groups"; // one group is made, but its answer never arrives
            UUID connector = connector(supplier, product);

            await().atMost(Duration.ofSeconds(30)).until(() -> operations(connector, "DONE") == persons.size());
            Map<String, Integer> requests = supplier.requests();
            assertThat(requests.getOrDefault("POST Groups", 0)).as("requests: " + requests).isZero(); // made in Bulk, the lost one found
            assertThat(requests.getOrDefault("GET Groups", 0)).as("one look for all, one for the lost group: " + requests).isLessThanOrEqualTo(2);
            assertGroupsHoldExactly(supplier, connector, persons); // exactly one group per externalId
        }
    }

    /** A release without a pseudonymous id is refused (a dead letter saying why), and no group is made for it at the supplier. */
    @Test
    void aRefusedOperationMakesNoGroup() throws Exception {
        try (SupplierScimServer supplier = new SupplierScimServer("token-" + UUID.randomUUID(), true, 1000, 1_048_576)) {
            UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.GIVEN_NAME, Attribute.GROUPS)); // no PSEUDONYMOUS_ID declared
            List<UUID> persons = pupils.subList(70, 73);
            fx.license(product, persons);
            UUID connector = connector(supplier, product);

            await().atMost(Duration.ofSeconds(20)).until(() -> operations(connector, "DEAD") == persons.size());
            assertThat(jdbc.sql("select distinct last_error from provisioning_operation where connector_id = :c").param("c", connector)
                    .query(String.class).list()).singleElement().asString().contains("PSEUDONYMOUS_ID");
            assertThat(supplier.groupCount()).isZero();
            assertThat(supplier.userCount()).isZero();
        }
    }

    @Test
    void withoutBulkEachOperationGoesOnItsOwn() throws Exception {
        try (SupplierScimServer supplier = new SupplierScimServer("token-" + UUID.randomUUID(), false, 0, 0)) {
            UUID product = fx.product(fx.supplierId, DECLARED);
            UUID connector = connector(supplier, product);
            List<UUID> persons = pupils.subList(50, 54);
            fx.license(product, persons);
            await().atMost(Duration.ofSeconds(20)).until(() -> operations(connector, "DONE") == persons.size());
            assertThat(supplier.requests()).doesNotContainKey("POST Bulk").containsEntry("POST Users", persons.size());
            assertGroupsHoldExactly(supplier, connector, persons);
        }
    }

    /**
     * A membership PATCH the supplier carried out but whose answer was lost is not sent blind again: this supplier (like
     * Captain Goldfish's in-memory group) appends a value added twice, although RFC 7644 §3.5.2.1 says adding a value
     * already there SHOULD change nothing. Before adding again where an earlier try's outcome is unknown, Tilldela reads
     * the group and sends only the members it lacks. Once in Bulk (the joiners then go one by one in the same claim,
     * uncharged) and once without Bulk (the operation is retried later, a second attempt).
     */
    @Test
    void aMembershipWhoseAnswerWasLostIsNotAddedTwiceInBulk() throws Exception {
        try (SupplierScimServer supplier = new SupplierScimServer("token-" + UUID.randomUUID(), true, 1000, 1_048_576)) {
            UUID product = fx.product(fx.supplierId, DECLARED);
            // four pupils of one class: two go first, so the class is at the supplier with members Tilldela knows of
            UUID group = jdbc.sql("select group_id from membership where person_id = any(:p) group by group_id order by count(*) desc, group_id limit 1")
                    .param("p", pupils.toArray(UUID[]::new)).query(UUID.class).single();
            List<UUID> persons = jdbc.sql("select person_id from membership where group_id = :g and person_id = any(:p) order by person_id limit 4")
                    .param("g", group).param("p", pupils.toArray(UUID[]::new)).query(UUID.class).list();
            assertThat(persons).hasSize(4);
            fx.license(product, persons.subList(0, 2));
            UUID connector = connector(supplier, product);
            await().atMost(Duration.ofSeconds(30)).until(() -> operations(connector, "DONE") == 2);

            // the other two join it in a Bulk request that the supplier carries out but whose answer is lost
            supplier.loseAnswerOnce = (kind, body) -> kind.equals("POST Bulk") && body.contains("\"PATCH\"") && body.contains("members");
            fx.license(product, persons.subList(2, 4));
            await().atMost(Duration.ofSeconds(30)).until(() -> operations(connector, "DONE") == 4);
            assertThat(supplier.loseAnswerOnce).as("the answer was lost").isNull();
            assertNoMemberTwice(supplier, persons);
            assertGroupsHoldExactly(supplier, connector, persons);
            assertThat(jdbc.sql("select max(attempts) from provisioning_operation where connector_id = :c").param("c", connector).query(Integer.class)
                    .single()).as("a lost answer is not charged").isEqualTo(1);
        }
    }

    @Test
    void aMembershipWhoseAnswerWasLostIsNotAddedTwiceWhenRetried() throws Exception {
        try (SupplierScimServer supplier = new SupplierScimServer("token-" + UUID.randomUUID(), false, 0, 0)) {
            UUID product = fx.product(fx.supplierId, DECLARED);
            List<UUID> persons = pupils.subList(36, 40);
            fx.license(product, persons);
            supplier.loseAnswerOnce = (kind, body) -> kind.equals("PATCH Groups") && body.contains("members");
            UUID connector = connector(supplier, product);

            await().atMost(Duration.ofSeconds(60)).until(() -> operations(connector, "DONE") == persons.size());
            assertThat(supplier.loseAnswerOnce).as("the answer was lost").isNull();
            assertThat(jdbc.sql("select max(attempts) from provisioning_operation where connector_id = :c").param("c", connector).query(Integer.class)
                    .single()).as("the batch whose answer was lost was tried again").isGreaterThan(1);
            assertNoMemberTwice(supplier, persons);
            assertGroupsHoldExactly(supplier, connector, persons);
        }
    }

    private void assertNoMemberTwice(SupplierScimServer supplier, List<UUID> holders) {
        Set<String> groups = new HashSet<>();
        for (UUID person : holders) {
            jdbc.sql("select group_id from membership where person_id = :p").param("p", person).query(UUID.class).list()
                    .forEach(g -> groups.add(g.toString()));
        }
        assertThat(groups).isNotEmpty();
        Map<String, List<String>> atSupplier = supplier.groupMembers();
        for (String group : groups) {
            assertThat(atSupplier.get(group)).as("members of " + group).isNotNull().doesNotHaveDuplicates();
        }
    }

    /** The person's pairwise pseudonym for the product's supplier: what goes as userName and externalId without an e-mail released. */
    private String userName(UUID person, UUID product) {
        return new TransactionTemplate(transactions).execute(s -> (String) policy.release(person, product, Channel.SCIM_PUSH).values()
                .get(Attribute.PSEUDONYMOUS_ID));
    }

    private void assertGroupsHoldExactly(SupplierScimServer supplier, UUID connector, List<UUID> holders) {
        Map<String, Set<String>> expected = new HashMap<>();
        for (UUID person : holders) {
            String scimId = account(connector, person).get("scim_id").toString();
            jdbc.sql("select group_id from membership where person_id = :p").param("p", person).query(UUID.class).list()
                    .forEach(g -> expected.computeIfAbsent(g.toString(), k -> new HashSet<>()).add(scimId));
        }
        assertThat(expected).isNotEmpty();
        expected.forEach((group, members) -> assertThat(supplier.members(group)).as("members of " + group).isEqualTo(members));
        assertThat(supplier.groupCount()).isEqualTo(expected.size());
    }

    private UUID connector(SupplierScimServer supplier, UUID product) throws Exception {
        Map<String, Object> body = new HashMap<>(Map.of("supplierId", fx.supplierId, "name", "Bulk " + UUID.randomUUID().toString().substring(0, 6),
                "baseUrl", supplier.baseUrl(), "auth", "BEARER", "bearerToken", supplier.token(), "productIds", List.of(product),
                "resourceTypes", List.of("User", "Group")));
        Map<String, Object> created = api().post().uri("/api/v1/provisioning/connectors").body(body).retrieve()
                .body(new ParameterizedTypeReference<>() { });
        return UUID.fromString(created.get("id").toString());
    }

    private Map<String, Object> account(UUID connector, UUID person) {
        return jdbc.sql("select external_id, scim_id, active from provisioned_account where connector_id = :c and person_id = :p")
                .param("c", connector).param("p", person).query().singleRow();
    }

    private int operations(UUID connector, String state) {
        return jdbc.sql("select count(*) from provisioning_operation where connector_id = :c and state = :s").param("c", connector).param("s", state)
                .query(Integer.class).single();
    }

    private int attempts(UUID connector, UUID person) {
        return jdbc.sql("select max(attempts) from provisioning_operation where connector_id = :c and person_id = :p").param("c", connector)
                .param("p", person).query(Integer.class).single();
    }

    private RestClient api() {
        return RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(admin, PASSWORD)).build();
    }
}
