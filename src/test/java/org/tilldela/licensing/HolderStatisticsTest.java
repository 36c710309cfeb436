package org.tilldela.licensing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;

/**
 * A grant of a thousand seats or more leaves the licence tables with fresh statistics: without them the holder
 * queries that follow at once (a roster page joins a product's holders) are planned blind, and licence_pool,
 * which has few rows, never reaches autovacuum's threshold at all.
 */
class HolderStatisticsTest extends IntegrationTest {

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;

    @Test
    void aLargeGrantAnalyzesTheLicenceTables() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools, 2500); // about 1,400 of them eligible
        List<UUID> everyone = jdbc.sql("select id from person where source = :s").param("s", fx.source).query(UUID.class).list();
        Timestamp before = jdbc.sql("select clock_timestamp()").query(Timestamp.class).single();
        UUID pool = pools.create(new NewPool(fx.productId, fx.organiserId, fx.organiserId, everyone.size(), LocalDate.now().minusDays(1),
                LocalDate.now().plusYears(1), false, null, "test"));
        LicencePools.Allocation allocation = pools.assignDirect(pool, everyone, "test");
        assertThat(allocation.holding()).hasSizeGreaterThanOrEqualTo(1000);
        for (String table : List.of("licence_pool", "licence_assignment")) {
            Timestamp analyzed = jdbc.sql("select last_analyze from pg_stat_user_tables where relname = :t").param("t", table)
                    .query(Timestamp.class).single();
            assertThat(analyzed).as(table).isNotNull().isAfterOrEqualTo(before);
        }
    }
}
