package org.tilldela.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.access.AccessFixture;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.ledger.Channel;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.NewPool;
import org.tilldela.purchase.BuyerScopes;

/**
 * The utilisation page and its CSV: seats bought, assigned and used per product and the organisation the
 * pools were bought for, scoped to what the account may see, with counts below 5 not shown.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UtilisationPageTest extends IntegrationTest {

    static final String PASSWORD = "utilisation-password-1";

    @LocalServerPort int port;
    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired ReleasePolicy policy;
    @Autowired UsageReports reports;
    @Autowired AdminAccounts accounts;
    @Autowired BuyerScopes buyerScopes;

    AccessFixture fixture;
    String articleNumber;
    UUID schoolUnit;
    String schoolUnitName;
    String organiserName;
    long assignedAtOrganiser;
    String licenceAdmin, unitBuyer, organiserBuyer, unscopedBuyer, directoryAdmin;

    @BeforeAll
    void setUp() throws Exception {
        fixture = new AccessFixture(imports, jdbc, catalog, pools, 300);
        articleNumber = catalog.product(fixture.productId).orElseThrow().articleNumber();
        organiserName = jdbc.sql("select name from organisation where id = :id").param("id", fixture.organiserId).query(String.class).single();
        var unit = jdbc.sql("select id, name from organisation where source = :s and kind = 'SCHOOL_UNIT' order by name limit 1").param("s", fixture.source)
                .query().singleRow();
        schoolUnit = (UUID) unit.get("id");
        schoolUnitName = (String) unit.get("name");
        assignedAtOrganiser = fixture.persons.size() + fixture.protectedPersons.size();
        // a small pool of the same product for one school unit: 3 persons, fewer than 5
        UUID unitPool = pools.create(new NewPool(fixture.productId, fixture.organiserId, schoolUnit, 10, LocalDate.now().minusDays(1),
                LocalDate.now().plusYears(1), false, null, "test"));
        List<UUID> others = jdbc.sql("""
                        select distinct p.id from person p join enrolment e on e.person_id = p.id
                        where e.school_unit_id = :unit and p.protection = 'NONE' and p.id <> all (:taken) order by p.id limit 3""")
                .param("unit", schoolUnit).param("taken", fixture.persons.toArray(UUID[]::new)).query(UUID.class).list();
        pools.assignDirect(unitPool, others, "test");
        assertThat(jdbc.sql("select count(*) from licence_assignment where pool_id = :p").param("p", unitPool).query(Long.class).single()).isEqualTo(3);

        // the supplier reports 12 of the organiser pool's holders active yesterday, and one more 60 days ago
        List<UsageReports.ReportedRow> rows = new ArrayList<>();
        var released = policy.releaseAll(fixture.persons, fixture.productId, Channel.SCIM_PUSH);
        for (int i = 0; i < 13; i++) {
            LocalDate day = i < 12 ? LocalDate.now().minusDays(1) : LocalDate.now().minusDays(60);
            rows.add(new UsageReports.ReportedRow((String) released.get(i).values().get(Attribute.PSEUDONYMOUS_ID), fixture.productId.toString(),
                    day.toString(), null, 2, 5));
        }
        // and 2 of the unit pool's 3 active yesterday
        for (var release : policy.releaseAll(others.subList(0, 2), fixture.productId, Channel.SCIM_PUSH)) {
            rows.add(new UsageReports.ReportedRow((String) release.values().get(Attribute.PSEUDONYMOUS_ID), fixture.productId.toString(),
                    LocalDate.now().minusDays(1).toString(), null, 1, 1));
        }
        assertThat(reports.report(fixture.supplierId, "test", rows).accepted()).isEqualTo(15);

        String tag = UUID.randomUUID().toString().substring(0, 8);
        licenceAdmin = account("util-lic-" + tag, AdminRight.LICENCE_ADMIN);
        unitBuyer = account("util-unit-" + tag, AdminRight.BUYER);
        organiserBuyer = account("util-org-" + tag, AdminRight.BUYER);
        unscopedBuyer = account("util-none-" + tag, AdminRight.BUYER);
        directoryAdmin = account("util-dir-" + tag, AdminRight.DIRECTORY_ADMIN);
        buyerScopes.set(unitBuyer, schoolUnit, "test");
        buyerScopes.set(organiserBuyer, fixture.organiserId, "test");
    }

    private String account(String name, AdminRight right) {
        accounts.create(name, "Utilisation " + right, PASSWORD, EnumSet.of(right), "test");
        return name;
    }

    private WebSession as(String user) {
        return new WebSession(port).signIn(user, PASSWORD);
    }

    /** The CSV's rows of this test's product, as organisation → record. */
    private List<CSVRecord> csv(WebSession session, String query) throws Exception {
        WebSession.Answer answer = session.get("/utilisation.csv" + query);
        assertThat(answer.status()).isEqualTo(200);
        List<CSVRecord> records = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(new StringReader(answer.body())).getRecords();
        return records.stream().filter(r -> r.get("article_number").equals(articleNumber)).toList();
    }

    @Test
    void theLicenceAdministratorSeesBoughtAssignedAndUsedPerProductAndOrganisation() throws Exception {
        List<CSVRecord> rows = csv(as(licenceAdmin), "");
        assertThat(rows).extracting(r -> r.get("organisation")).containsExactlyInAnyOrder(organiserName, schoolUnitName);
        CSVRecord organiser = rows.stream().filter(r -> r.get("organisation").equals(organiserName)).findFirst().orElseThrow();
        assertThat(organiser.get("seats_bought")).isEqualTo("1000");
        assertThat(organiser.get("seats_assigned")).isEqualTo(Long.toString(assignedAtOrganiser));
        assertThat(organiser.get("seats_used")).as("the one active 60 days ago is outside the last 30 days").isEqualTo("12");
        assertThat(organiser.get("used_percent")).isEqualTo(Long.toString(Math.round(1200.0 / assignedAtOrganiser)));
        CSVRecord unit = rows.stream().filter(r -> r.get("organisation").equals(schoolUnitName)).findFirst().orElseThrow();
        assertThat(unit.get("seats_bought")).isEqualTo("10");
        assertThat(unit.get("seats_assigned")).as("3 persons: not shown").isEqualTo("<5");
        assertThat(unit.get("seats_used")).as("2 persons: not shown").isEqualTo("<5");
        assertThat(unit.get("used_percent")).isEmpty();

        String from = LocalDate.now().minusDays(90).toString();
        assertThat(csv(as(licenceAdmin), "?from=" + from).stream().filter(r -> r.get("organisation").equals(organiserName)).findFirst().orElseThrow()
                .get("seats_used")).isEqualTo("13");
    }

    @Test
    void thePageShowsTheChartAndTheSameFiguresAsATableInEveryLanguage() {
        WebSession session = as(licenceAdmin);
        WebSession.Answer en = session.get("/utilisation?lang=en");
        assertThat(en.status()).isEqualTo(200);
        assertThat(en.body()).contains("Utilisation of licences", "id=\"utilisation-chart\"", "role=\"img\"", "/webjars/chart.js/4.5.1/dist/chart.umd.min.js",
                "<caption id=\"utilisation-caption\"", articleNumber, "fewer than 5", "data-value=\"1000\"", "data-value=\"12\"",
                "data-value=\"" + assignedAtOrganiser + "\"", "/utilisation.csv?from=");
        // a suppressed count has no value for the chart to draw
        String unitRow = en.body().substring(en.body().indexOf(schoolUnitName));
        unitRow = unitRow.substring(0, unitRow.indexOf("</tr>"));
        assertThat(unitRow).contains("data-value=\"10\"").doesNotContain("data-value=\"3\"", "data-value=\"2\"");
        assertThat(session.get("/utilisation?lang=sv").body()).contains("Nyttjande av licenser", "färre än 5", "Köpta platser");
        assertThat(session.get("/utilisation?lang=da").body()).contains("Udnyttelse af licenser", "færre end 5", "Købte pladser");
        assertThat(session.get("/webjars/chart.js/4.5.1/dist/chart.umd.min.js").status()).isEqualTo(200);
        assertThat(session.get("/js/utilisation.js").status()).isEqualTo(200);
    }

    @Test
    void aBuyerSeesOnlyThePoolsOfTheOrganisationTheyBuyFor() throws Exception {
        assertThat(csv(as(unitBuyer), "")).extracting(r -> r.get("organisation")).containsExactly(schoolUnitName);
        assertThat(csv(as(organiserBuyer), "")).extracting(r -> r.get("organisation")).containsExactlyInAnyOrder(organiserName, schoolUnitName);
        WebSession none = as(unscopedBuyer);
        assertThat(csv(none, "")).isEmpty();
        assertThat(none.get("/utilisation.csv").body().lines().count()).as("the header only").isEqualTo(1);
        assertThat(none.get("/utilisation?lang=en").body()).contains("no organisation to buy for").doesNotContain(articleNumber);
    }

    @Test
    void anAccountWithoutTheRightsGetsNothing() {
        WebSession session = as(directoryAdmin);
        assertThat(session.get("/utilisation").status()).isEqualTo(403);
        assertThat(session.get("/utilisation.csv").status()).isEqualTo(403);
    }

    @Test
    void aPeriodThatEndsBeforeItStartsIsRefusedAndTheLast30DaysShown() {
        WebSession.Answer answer = as(licenceAdmin).get("/utilisation?lang=en&from=2026-05-01&to=2026-04-01");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).contains("role=\"alert\"", "the last 30 days are shown instead", "value=\"" + LocalDate.now() + "\"");
    }
}
