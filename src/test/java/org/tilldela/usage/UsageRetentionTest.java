package org.tilldela.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.licensing.LicencePools;

/** Per-person usage goes when the retention reaches its month; what remains is counts per product, month and scope. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UsageRetentionTest extends IntegrationTest {

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired UsageRetention retention;

    AccessFixture fixture;

    @BeforeAll
    void setUp() throws Exception {
        fixture = new AccessFixture(imports, jdbc, catalog, pools, 200);
    }

    private void used(UUID person, LocalDate day, int sessions) {
        jdbc.sql("""
                        insert into usage_day (product_id, person_id, day, supplier_id, sessions, activities, sign_ins, reported_at)
                        values (:product, :person, :day, :supplier, :sessions, :sessions * 2, :sessions + 1, now())""")
                .param("product", fixture.productId).param("person", person).param("day", day).param("supplier", fixture.supplierId)
                .param("sessions", sessions).update();
    }

    private List<Map<String, Object>> months() {
        return jdbc.sql("select month, scope_id, persons, active_days, sessions, activities, sign_ins from usage_month where product_id = :p order by month, scope_id nulls last")
                .param("p", fixture.productId).query().listOfRows();
    }

    @Test
    void monthsReachedByTheRetentionAreFoldedOnceIntoCountsWithoutPersons() {
        LocalDate today = LocalDate.now();
        YearMonth kept = YearMonth.from(retention.firstKeptDay(today));
        assertThat(kept.atDay(1)).as("13 months by default, and never more").isAfter(today.minusMonths(13).minusDays(1))
                .isBeforeOrEqualTo(today.minusMonths(12));
        YearMonth old = kept.minusMonths(1);
        UUID a = fixture.persons.get(0), b = fixture.persons.get(1), c = fixture.persons.get(2);
        // a held a seat from the fixture's pool back then; b and c none
        jdbc.sql("update licence_assignment set assigned_at = :at where pool_id = :pool and person_id = :person")
                .param("at", java.sql.Timestamp.valueOf(old.atDay(1).atStartOfDay().minusDays(10))).param("pool", fixture.poolId).param("person", a).update();
        used(a, old.atDay(2), 3);
        used(a, old.atDay(20), 1);
        used(b, old.atDay(2), 5);
        used(c, old.atEndOfMonth(), 2);
        used(a, kept.atDay(1), 9);
        used(b, today.minusDays(1), 4);

        retention.fold(today);

        assertThat(months()).containsExactly(
                Map.of("month", java.sql.Date.valueOf(old.atDay(1)), "scope_id", fixture.organiserId, "persons", 1, "active_days", 2L, "sessions", 4L,
                        "activities", 8L, "sign_ins", 6L),
                row(old, null, 2, 2L, 7L, 14L, 9L));
        assertThat(jdbc.sql("select person_id, day from usage_day where product_id = :p order by day").param("p", fixture.productId).query().listOfRows())
                .as("what is younger than the retention stays per person")
                .containsExactly(Map.of("person_id", a, "day", java.sql.Date.valueOf(kept.atDay(1))),
                        Map.of("person_id", b, "day", java.sql.Date.valueOf(today.minusDays(1))));

        List<Map<String, Object>> once = months();
        retention.fold(today);
        assertThat(months()).as("a second run changes nothing").isEqualTo(once);
    }

    private static Map<String, Object> row(YearMonth month, UUID scope, int persons, long days, long sessions, long activities, long signIns) {
        Map<String, Object> row = new java.util.HashMap<>();
        row.put("month", java.sql.Date.valueOf(month.atDay(1)));
        row.put("scope_id", scope);
        row.put("persons", persons);
        row.put("active_days", days);
        row.put("sessions", sessions);
        row.put("activities", activities);
        row.put("sign_ins", signIns);
        return row;
    }
}
