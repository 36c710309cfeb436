package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.generator.MunicipalityGenerator;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.importing.ImportSummary;
import org.tilldela.directory.oneroster.OneRosterReader;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.NewPool;

/**
 * Accounts follow the directory: the "next day" import of a municipality (some pupils replaced by newcomers,
 * some moved to a parallel class) deactivates the leavers' accounts at the supplier at once — while their
 * licence is still in its grace period — and brings the movers' accounts up to date.
 */
class DirectoryFollowingTest extends IntegrationTest {

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired Connectors connectors;

    @Test
    void leaversAreDeactivatedAndMoversUpdated() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        List<UUID> pupils = jdbc.sql("select distinct p.id from person p join enrolment e on e.person_id = p.id where p.source = :s")
                .param("s", fx.source).query(UUID.class).list();
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.SCHOOL_UNIT, Attribute.ROLES));
            UUID connector = connectors.create(new Connector.Settings(fx.supplierId, "Följer katalogen", supplier.baseUrl(), Connector.Auth.BEARER,
                    supplier.token, null, null, null, null, List.of(product), true), "test").id();
            UUID pool = pools.create(new NewPool(product, fx.organiserId, fx.organiserId, 10_000, LocalDate.now().minusDays(1),
                    LocalDate.now().plusYears(1), false, null, "test"));
            pools.assignDirect(pool, pupils, "test");
            await().atMost(Duration.ofSeconds(60)).until(() -> supplier.users.store.size() == pupils.size());

            // the next day: 15% of persons changed — a third of them replaced (leavers), a third of the pupils moved
            Path zip = Files.createTempFile("next-day-", ".zip");
            new MunicipalityGenerator(new MunicipalityGenerator.Settings(1500, 7, "sv", 15, 1)).writeTo(zip);
            ImportSummary summary = imports.runNow("ONEROSTER", new ImportOptions(fx.source, false, "test"), new OneRosterReader(zip, "next-day.zip"),
                    ImportProgress.NONE, "next-day.zip");
            Files.delete(zip);
            List<UUID> left = journal(summary, "PERSON_LEFT", pupils);
            List<UUID> moved = journal(summary, "PERSON_MOVED", pupils);
            assertThat(left).isNotEmpty();
            assertThat(moved).isNotEmpty();

            await().atMost(Duration.ofSeconds(30)).until(() -> left.stream().noneMatch(p -> active(connector, p)));
            for (UUID p : left) {
                String scimId = jdbc.sql("select scim_id from provisioned_account where connector_id = :c and person_id = :p").param("c", connector)
                        .param("p", p).query(String.class).single();
                assertThat(supplier.users.store.get(scimId).getObjectNode().path("active").asBoolean()).isFalse();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> moved.stream().allMatch(p -> done(connector, p, "PERSON_MOVED")));
            // nobody else was deactivated, and no account was made twice
            assertThat(supplier.users.store.values().stream().filter(u -> !u.getObjectNode().path("active").asBoolean()).count())
                    .isEqualTo(left.size());
            assertThat(supplier.users.store).hasSize(pupils.size());
            assertThat(supplier.users.creates.get()).isEqualTo(pupils.size());
        }
    }

    private List<UUID> journal(ImportSummary summary, String kind, List<UUID> among) {
        Set<UUID> these = Set.copyOf(among);
        return jdbc.sql("select person_id from directory_change where import_run_id = :r and kind = :k").param("r", summary.runId()).param("k", kind)
                .query(UUID.class).list().stream().filter(these::contains).toList();
    }

    private boolean active(UUID connector, UUID person) {
        return jdbc.sql("select active from provisioned_account where connector_id = :c and person_id = :p").param("c", connector).param("p", person)
                .query(Boolean.class).single();
    }

    private boolean done(UUID connector, UUID person, String cause) {
        Map<String, Object> counts = jdbc.sql("""
                        select count(*) filter (where state = 'DONE') done, count(*) all_ from provisioning_operation
                        where connector_id = :c and person_id = :p and cause = :cause
                        """).param("c", connector).param("p", person).param("cause", cause).query().singleRow();
        return ((Number) counts.get("all_")).longValue() > 0 && counts.get("done").equals(counts.get("all_"));
    }
}
