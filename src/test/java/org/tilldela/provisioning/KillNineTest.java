package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import de.captaingoldfish.scim.sdk.common.resources.User;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.NewPool;
import org.tilldela.platform.EmbeddedDatabase;
import org.tilldela.provisioning.cli.SupplierScimServer;

/**
 * kill -9 of the server while it pushes 10,000 licence holders with their groups to a SCIM service provider that
 * offers Bulk, as suppliers at this size do (Captain Goldfish's SCIM SDK server, {@link SupplierScimServer}, in this
 * JVM): the server is a separate process on this test's database; it is killed with SIGKILL once some thousands of users have arrived, started again, and
 * works the queue to its end. Then every licence holder is at the supplier exactly once (by externalId), every
 * group holds exactly the licence holders in it, and every operation is done — none lost, none a dead letter.
 *
 * <p>This JVM's own worker is stopped meanwhile (the shared test context has one), so that only the server
 * process pushes; the process gets a short lease so that what it had claimed when it died is taken up again
 * within seconds of the restart rather than the default five minutes.
 */
class KillNineTest extends IntegrationTest {

    private static final int USERS = 10_000;
    private static final String PASSWORD = "kill-nine-admin-password";
    private static final Set<Attribute> DECLARED = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ROLES, Attribute.SCHOOL_UNIT, Attribute.GROUPS);

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired AdminAccounts accounts;
    @Autowired ProvisioningWorker worker;

    @Test
    void afterAKillNineAndARestartEveryUserIsAtTheSupplierOnceWithItsGroupsAndNothingIsLost() throws Exception {
        long started = System.nanoTime();
        // about half of a generated municipality are pupils and a twentieth staff
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools, 19_000);
        List<UUID> holders = jdbc.sql("""
                        select p.id from person p where p.source = :s
                          and (exists (select 1 from enrolment e where e.person_id = p.id) or exists (select 1 from duty d where d.person_id = p.id))
                        order by p.id limit :n""").param("s", fx.source).param("n", USERS).query(UUID.class).list();
        assertThat(holders).hasSize(USERS);
        String admin = "kill9-admin-" + fx.source;
        accounts.create(admin, "Provisioning admin", PASSWORD, EnumSet.of(AdminRight.ACCESS_ADMIN), "test");

        EmbeddedDatabase.Server database = EmbeddedDatabase.acquire(dataDir());
        worker.stop(); // only the server process pushes
        // Bulk requests of at most 200 operations: the kill falls between and inside requests whose answers are lost
        try (SupplierScimServer supplier = new SupplierScimServer("token-" + UUID.randomUUID(), true, 200, 1_048_576)) {
            UUID product = fx.product(fx.supplierId, DECLARED);
            Map<String, Object> body = new HashMap<>(Map.of("supplierId", fx.supplierId, "name", "kill -9 " + fx.source, "baseUrl", supplier.baseUrl(),
                    "auth", "BEARER", "bearerToken", supplier.token(), "productIds", List.of(product), "resourceTypes", List.of("User", "Group")));
            UUID connector = UUID.fromString(RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(admin, PASSWORD)).build()
                    .post().uri("/api/v1/provisioning/connectors").body(body).retrieve()
                    .body(new ParameterizedTypeReference<Map<String, Object>>() { }).get("id").toString());
            UUID pool = pools.create(new NewPool(product, fx.organiserId, fx.organiserId, USERS, LocalDate.now().minusDays(1), LocalDate.now().plusYears(1),
                    false, null, "test"));
            pools.assignDirect(pool, holders, "test");
            // the licences and their operations commit together
            assertThat(count("select count(*) from provisioning_operation where connector_id = :c and kind = 'SYNC'", connector)).isEqualTo(USERS);
            System.out.printf("kill -9: %,d licence holders queued after %.1f s%n", USERS, (System.nanoTime() - started) / 1e9);

            Path logs = Path.of("target", "kill9");
            List<String> arguments = List.of("--server.port=0", "--server.address=127.0.0.1", "--tilldela.data-dir=" + dataDir(),
                    "--spring.datasource.url=" + database.jdbcUrl(), "--spring.datasource.username=" + EmbeddedDatabase.APP_ROLE,
                    "--spring.flyway.user=" + EmbeddedDatabase.OWNER,
                    "--tilldela.demo=false", "--tilldela.bootstrap.enabled=false", "--tilldela.licensing.follow-directory=false",
                    "--tilldela.licensing.sweep.enabled=false", "--spring.modulith.events.republish-outstanding-events-on-restart=false",
                    "--tilldela.provisioning.lease=10s", "--tilldela.provisioning.poll-interval=200ms", "--tilldela.provisioning.backoff-base=200ms",
                    "--tilldela.provisioning.backoff-max=2s", "--tilldela.provisioning.http-timeout=5s", "--tilldela.provisioning.per-connector-concurrency=4",
                    "--tilldela.provisioning.batch-size=50", "--tilldela.provisioning.allowed-hosts=*,localhost:*,127.0.0.1:*", "--tilldela.db.pool-size=8", "--logging.level.root=WARN",
                    "--logging.level.org.tilldela.TilldelaApplication=INFO", "--logging.level.org.tilldela.provisioning=INFO");
            Map<String, String> secrets = Map.of("SPRING_DATASOURCE_PASSWORD", database.password(EmbeddedDatabase.APP_ROLE),
                    "SPRING_FLYWAY_PASSWORD", database.password(EmbeddedDatabase.OWNER));

            ServerProcess first = ServerProcess.start(logs.resolve("first.log"), "384m", secrets, arguments);
            try {
                await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(50))
                        .conditionEvaluationListener(progress(supplier, started))
                        .failFast("the server process ended: " + first.log, () -> !first.isAlive())
                        .until(() -> supplier.userCount() >= 3_000);
                int arrived = supplier.userCount();
                int exit = first.kill();
                assertThat(exit).as("killed by SIGKILL (exit status 128 + 9)").isEqualTo(137);
                System.out.printf("kill -9: killed at %,d users after %.1f s (exit %d)%n", arrived, (System.nanoTime() - started) / 1e9, exit);
                assertThat(supplier.userCount()).isLessThan(USERS);
            } finally {
                first.close();
            }

            try (ServerProcess second = ServerProcess.start(logs.resolve("second.log"), "384m", secrets, arguments)) {
                await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(250))
                        .conditionEvaluationListener(progress(supplier, started))
                        .failFast("the restarted server process ended: " + second.log, () -> !second.isAlive())
                        .until(() -> count("select count(*) from provisioning_operation where connector_id = :c and state in ('PENDING', 'IN_FLIGHT')",
                                connector) == 0);
            }
            System.out.printf("kill -9: queue empty after %.1f s%n", (System.nanoTime() - started) / 1e9);

            // nothing lost, nothing dead: every operation is done
            assertThat(count("select count(*) from provisioning_operation where connector_id = :c and state = 'DEAD'", connector)).isZero();
            assertThat(count("select count(*) from provisioning_operation where connector_id = :c and state = 'DONE'", connector)).isEqualTo(USERS);
            // every licence holder once at the supplier, under the externalId we know, active
            Map<String, String> externalIds = new HashMap<>();
            jdbc.sql("select person_id, external_id, scim_id from provisioned_account where connector_id = :c").param("c", connector)
                    .query(rs -> {
                        externalIds.put(rs.getString(1), rs.getString(2) + " " + rs.getString(3));
                    });
            assertThat(externalIds).hasSize(USERS);
            assertThat(supplier.userCount()).isEqualTo(USERS);
            Map<String, List<User>> atSupplier = new HashMap<>();
            supplier.users().values().forEach(u -> atSupplier.computeIfAbsent(u.getExternalId().orElse(""), k -> new ArrayList<>()).add(u));
            Map<UUID, String> scimIdOf = new HashMap<>();
            for (UUID person : holders) {
                String[] account = externalIds.get(person.toString()).split(" ");
                assertThat(atSupplier.get(account[0])).as("users with the externalId of a licence holder").hasSize(1);
                User user = atSupplier.get(account[0]).getFirst();
                assertThat(user.getId()).contains(account[1]);
                assertThat(user.isActive()).contains(true);
                scimIdOf.put(person, account[1]);
            }
            // every group of theirs holds exactly its licence holders, each once; no other group is there
            Map<String, Set<String>> expected = new HashMap<>();
            jdbc.sql("select group_id, person_id from membership where person_id = any(:p)").param("p", holders.toArray(UUID[]::new))
                    .query(rs -> {
                        expected.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(scimIdOf.get(rs.getObject(2, UUID.class)));
                    });
            assertThat(expected).isNotEmpty();
            Map<String, List<String>> groups = supplier.groupMembers();
            assertThat(groups).hasSize(expected.size());
            for (Map.Entry<String, List<String>> group : groups.entrySet()) {
                String externalId = group.getKey();
                List<String> members = group.getValue();
                assertThat(expected).as("group " + externalId).containsKey(externalId);
                assertThat(members).as("members of " + externalId).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected.get(externalId));
            }
            System.out.printf("kill -9: %,d users, %,d groups checked after %.1f s%n", USERS, expected.size(), (System.nanoTime() - started) / 1e9);
        } finally {
            worker.start();
            EmbeddedDatabase.release(dataDir());
        }
    }

    /** Every five seconds: how far the push is (in the test's output, for seeing where the time goes). */
    private static org.awaitility.core.ConditionEvaluationListener<Object> progress(SupplierScimServer supplier, long started) {
        long[] last = {0};
        return condition -> {
            long now = System.nanoTime();
            if (now - last[0] > 5_000_000_000L) {
                last[0] = now;
                System.out.printf("kill -9: %,d users, %,d groups at the supplier after %.1f s%n", supplier.userCount(), supplier.groupCount(),
                        (now - started) / 1e9);
            }
        };
    }

    private int count(String sql, UUID connector) {
        return jdbc.sql(sql).param("c", connector).query(Integer.class).single();
    }
}
