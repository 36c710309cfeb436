package org.tilldela.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.util.ReflectionTestUtils;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.access.AccessFixture;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.GrantScope;
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
    @Autowired AdminGrants grants;
    @Autowired UtilisationCounts counts;
    @Autowired org.springframework.context.ApplicationContext context;

    AccessFixture fixture;
    String articleNumber;
    UUID schoolUnit;
    String schoolUnitName;
    String organiserName;
    long assignedAtOrganiser;
    String licenceAdmin, unitBuyer, organiserBuyer, unscopedBuyer, directoryAdmin;
    // a second product with pools ending soon at two school units: A (the school unit above) and B
    UUID english;
    String englishArticle;
    UUID schoolB;
    String schoolBName;
    String principalA;
    String regional, regionalB;
    UUID poolA, poolB, englishOrder;

    @BeforeAll
    void setUp() throws Exception {
        fixture = new AccessFixture(imports, jdbc, catalog, pools, 300);
        articleNumber = catalog.product(fixture.productId).orElseThrow().articleNumber();
        organiserName = jdbc.sql("select name from organisation where id = :id").param("id", fixture.organiserId).query(String.class).single();
        // the school unit with the most pupils besides the fixture's own (the generated municipality differs from run to run)
        var unit = jdbc.sql("""
                        select o.id, o.name from organisation o
                        where o.source = :s and o.kind = 'SCHOOL_UNIT'
                        order by (select count(distinct e.person_id) from enrolment e join person p on p.id = e.person_id
                                  where e.school_unit_id = o.id and p.protection = 'NONE' and p.id <> all (:taken)) desc, o.name limit 1""")
                .param("s", fixture.source).param("taken", fixture.persons.toArray(UUID[]::new)).query().singleRow();
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

        // A principal: a licence administrator granted school unit A only
        String root = "util-root-" + tag;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        principalA = "util-principal-" + tag;
        accounts.create(root, principalA, "Principal A", PASSWORD);
        grants.grant(root, principalA, AdminRight.LICENCE_ADMIN, GrantScope.units(Set.of(schoolUnit), Set.of()));
        // purchasing centres (REGIONAL): one over the organiser, one whose scope is school B alone
        regional = "util-region-" + tag;
        accounts.create(root, regional, "Region", PASSWORD);
        grants.grant(root, regional, AdminRight.REGIONAL, GrantScope.units(Set.of(fixture.organiserId), Set.of()));

        englishPools();
        regionalB = "util-region-b-" + tag;
        accounts.create(root, regionalB, "Region B", PASSWORD);
        grants.grant(root, regionalB, AdminRight.REGIONAL, GrantScope.units(Set.of(schoolB), Set.of()));
    }

    /**
     * The second product: at school B, 40 seats bought by an order at 120.50 SEK a seat, ending in 30 days, 10 pupils of
     * B holding one, 6 of them active today; at school A, 8 seats made by hand (no order, no price), ending in 60 days,
     * 4 pupils of A holding one, 3 active today. Usage is written straight into usage_day: how it gets there is
     * UsageReportsApiTest's; here it is what the page makes of it.
     */
    private void englishPools() {
        english = fixture.product(fixture.supplierId, Set.of(Attribute.PSEUDONYMOUS_ID));
        // a title of its own: the fixture names every product alike, and the tables are sorted by title
        jdbc.sql("update product set title = 'Engelska digital' where id = :id").param("id", english).update();
        englishArticle = catalog.product(english).orElseThrow().articleNumber();
        // school B: another unit of the municipality with 10 pupils, whose name and A's do not contain one another
        var b = jdbc.sql("""
                        select o.id, o.name from organisation o where o.source = :s and o.kind = 'SCHOOL_UNIT' and o.id <> :a
                          and strpos(o.name, :aName) = 0 and strpos(:aName, o.name) = 0
                          and (select count(distinct p.id) from enrolment e join person p on p.id = e.person_id
                               where e.school_unit_id = o.id and p.protection = 'NONE') >= 10
                        order by o.name limit 1""")
                .param("s", fixture.source).param("a", schoolUnit).param("aName", schoolUnitName).query().singleRow();
        schoolB = (UUID) b.get("id");
        schoolBName = (String) b.get("name");
        UUID order = englishOrder = UUID.randomUUID();
        UUID line = UUID.randomUUID();
        jdbc.sql("insert into purchase_order (id, buyer, organiser_id, scope_id, status) values (:id, :buyer, :o, :b, 'PLACED')")
                .param("id", order).param("buyer", organiserBuyer).param("o", fixture.organiserId).param("b", schoolB).update();
        jdbc.sql("""
                        insert into order_line (id, order_id, position, product_id, article_number, title, unit_price, currency, seats, starts_on, ends_on, verdict)
                        values (:id, :order, 1, :p, :a, 'Engelska digital', 120.50, 'SEK', 40, :starts, :ends, 'OK')""")
                .param("id", line).param("order", order).param("p", english).param("a", englishArticle)
                .param("starts", LocalDate.now().minusDays(100)).param("ends", LocalDate.now().plusDays(30)).update();
        poolB = pools.create(new NewPool(english, fixture.organiserId, schoolB, 40, LocalDate.now().minusDays(100), LocalDate.now().plusDays(30),
                false, line, "test"));
        poolA = pools.create(new NewPool(english, fixture.organiserId, schoolUnit, 8, LocalDate.now().minusDays(100), LocalDate.now().plusDays(60),
                false, null, "test"));
        jdbc.sql("update order_line set pool_id = :pool where id = :line").param("pool", poolB).param("line", line).update();
        List<UUID> pupilsB = pupils(schoolB, 10);
        // school A is small: 4 pupils hold its pool (fewer than 5 are not shown)
        List<UUID> pupilsA = pupils(schoolUnit, 4);
        pools.assignDirect(poolB, pupilsB, "test");
        pools.assignDirect(poolA, pupilsA, "test");
        for (UUID person : pupilsB.subList(0, 6)) {
            usedToday(english, person);
        }
        for (UUID person : pupilsA.subList(0, 3)) {
            usedToday(english, person);
        }
        // a month folded past retention, in the first of the four terms: 7 persons of school B's pool used it
        jdbc.sql("""
                        insert into usage_month (product_id, month, scope_id, supplier_id, persons, active_days, sessions, activities)
                        values (:p, :m, :b, :s, 7, 20, 20, 0)""")
                .param("p", english).param("m", Utilisation.Term.last(Utilisation.TERMS, LocalDate.now()).getFirst().starts().plusMonths(1))
                .param("b", schoolB).param("s", fixture.supplierId).update();
    }

    private List<UUID> pupils(UUID unit, int n) {
        List<UUID> found = jdbc.sql("""
                        select p.id from person p where p.protection = 'NONE'
                          and exists (select 1 from enrolment e where e.person_id = p.id and e.school_unit_id = :u) order by p.id limit :n""")
                .param("u", unit).param("n", n).query(UUID.class).list();
        assertThat(found).hasSize(n);
        return found;
    }

    private void usedToday(UUID product, UUID person) {
        jdbc.sql("""
                        insert into usage_day (product_id, person_id, day, supplier_id, sessions, reported_at)
                        values (:p, :person, current_date, :s, 1, now())
                        on conflict (product_id, person_id, day) do nothing""")
                .param("p", product).param("person", person).param("s", fixture.supplierId).update();
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
        return csv(session, "/utilisation.csv", query, articleNumber);
    }

    /** The rows of one CSV of the page that are about the product with the article number. */
    private static List<CSVRecord> csv(WebSession session, String path, String query, String article) throws Exception {
        WebSession.Answer answer = session.get(path + query);
        assertThat(answer.status()).isEqualTo(200);
        List<CSVRecord> records = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(new StringReader(answer.body())).getRecords();
        return records.stream().filter(r -> r.get("article_number").equals(article)).toList();
    }

    private static CSVRecord row(List<CSVRecord> rows, String column, String value) {
        return rows.stream().filter(r -> r.get(column).equals(value)).findFirst().orElseThrow(() -> new AssertionError("no row with " + column + " = " + value));
    }

    @Test
    void theRenewalListPutsTheMoneyAtStakeFirstAndSaysWhenAPoolHasNoPrice() throws Exception {
        List<CSVRecord> rows = csv(as(licenceAdmin), "/utilisation/renewals.csv", "", englishArticle);
        assertThat(rows).extracting(r -> r.get("organisation")).as("the money at stake first, a pool without a price last")
                .containsExactly(schoolBName, schoolUnitName);
        CSVRecord b = rows.getFirst();
        assertThat(b.get("last_day")).isEqualTo(LocalDate.now().plusDays(30).toString());
        assertThat(b.get("seats_bought")).isEqualTo("40");
        assertThat(b.get("seats_assigned")).isEqualTo("10");
        assertThat(b.get("seats_used")).isEqualTo("6");
        assertThat(b.get("seats_unused")).isEqualTo("34");
        assertThat(b.get("seat_price")).isEqualTo("120.50");
        assertThat(b.get("money_at_stake")).as("34 unused seats at 120.50").isEqualTo("4097.00");
        CSVRecord a = rows.get(1);
        assertThat(a.get("seats_assigned")).as("4 persons: not shown").isEqualTo("<5");
        assertThat(a.get("seats_used")).as("3 persons: not shown").isEqualTo("<5");
        assertThat(a.get("seats_unused")).as("not 8 - 3, which would give the 3 away: the least it can be").isEqualTo(">=4");
        assertThat(a.get("seat_price")).isEmpty();
        assertThat(a.get("money_at_stake")).isEmpty();

        // the table on the page says the same
        String page = as(licenceAdmin).get("/utilisation?lang=en&product=" + english).body();
        int start = page.indexOf("id=\"renewals-table\"");
        String table = page.substring(start, page.indexOf("</table>", start));
        assertThat(table).contains("4 097,00 SEK", "120,50 SEK", "at least 4", "no price", LocalDate.now().plusDays(30).toString(), ">34<");
        assertThat(table.indexOf(schoolBName)).isLessThan(table.indexOf(schoolUnitName));
        assertThat(as(licenceAdmin).get("/utilisation?lang=sv&product=" + english).body()).contains("Kommande förnyelser", "minst 4", "inget pris");
        assertThat(as(licenceAdmin).get("/utilisation?lang=da&product=" + english).body()).contains("Kommende fornyelser", "mindst 4", "ingen pris");

        // a horizon of 45 days leaves out the pool ending in 60
        assertThat(csv(as(licenceAdmin), "/utilisation/renewals.csv", "?horizon=45", englishArticle)).extracting(r -> r.get("organisation"))
                .containsExactly(schoolBName);
        // the fixture's pools end in a year: not within the default 90 days
        assertThat(csv(as(licenceAdmin), "/utilisation/renewals.csv", "", articleNumber)).isEmpty();
    }

    @Test
    void perSchoolUnitAPrincipalOfSchoolANeverSeesSchoolB() throws Exception {
        String query = "?product=" + english;
        List<CSVRecord> all = csv(as(licenceAdmin), "/utilisation/units.csv", query, englishArticle);
        CSVRecord b = row(all, "school_unit", schoolBName);
        assertThat(List.of(b.get("seats_bought"), b.get("seats_assigned"), b.get("seats_used"), b.get("used_percent")))
                .containsExactly("40", "10", "6", "60");
        CSVRecord a = row(all, "school_unit", schoolUnitName);
        assertThat(List.of(a.get("seats_bought"), a.get("seats_assigned"), a.get("seats_used"))).containsExactly("8", "<5", "<5");
        assertThat(csv(as(organiserBuyer), "/utilisation/units.csv", query, englishArticle)).extracting(r -> r.get("school_unit"))
                .containsExactlyInAnyOrder(schoolUnitName, schoolBName);
        // the table on the page says what the CSV says, and the chart is drawn from it
        String page = as(licenceAdmin).get("/utilisation?lang=en&product=" + english).body();
        int start = page.indexOf("id=\"units-table\"");
        String table = page.substring(start, page.indexOf("</table>", start));
        String rowB = table.substring(table.indexOf(schoolBName));
        rowB = rowB.substring(0, rowB.indexOf("</tr>"));
        assertThat(rowB).contains("data-value=\"40\"", "data-value=\"10\"", "data-value=\"6\"", "60 %");
        assertThat(page).contains("id=\"units-chart\"", "data-chart=\"units-chart\"");

        // the principal of A and the buyer for A: A's line only, on the page, in its CSVs and in the renewal list
        for (String user : List.of(principalA, unitBuyer)) {
            WebSession session = as(user);
            assertThat(csv(session, "/utilisation/units.csv", query, englishArticle)).as(user).extracting(r -> r.get("school_unit"))
                    .containsExactly(schoolUnitName);
            assertThat(csv(session, "/utilisation/renewals.csv", "", englishArticle)).as(user).extracting(r -> r.get("organisation"))
                    .containsExactly(schoolUnitName);
            WebSession.Answer answer = session.get("/utilisation?lang=en&product=" + english);
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).as(user).contains("id=\"units-table\"", schoolUnitName, "data-value=\"8\"").doesNotContain(schoolBName, "4 097");
        }
        // a product the principal has no pool of gives nothing, not another school's figures
        assertThat(as(principalA).get("/utilisation/units.csv?product=" + UUID.randomUUID()).body().lines().count()).isEqualTo(1);
    }

    /**
     * What widens no one's figures: a buyer's scope on an account that is no buyer (left from a right since revoked, or set
     * for it), and a grant narrowed to school forms, which sees no pool of the organiser's or of a school of other forms
     * (as the licence pages decide).
     */
    @Test
    void aBuyersScopeWithoutTheRightAndAGrantNarrowedToFormsWidenNothing() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String root = "util-root2-" + tag;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        String principal = "util-principal2-" + tag;
        accounts.create(root, principal, "Principal", PASSWORD);
        grants.grant(root, principal, AdminRight.LICENCE_ADMIN, GrantScope.units(Set.of(schoolUnit), Set.of()));
        buyerScopes.set(principal, fixture.organiserId, "test"); // a buyer's scope, and no BUYER right
        assertThat(csv(as(principal), "/utilisation/units.csv", "?product=" + english, englishArticle)).extracting(r -> r.get("school_unit"))
                .containsExactly(schoolUnitName);

        String preschools = "util-preschools-" + tag;
        accounts.create(root, preschools, "Förskolor", PASSWORD);
        grants.grant(root, preschools, AdminRight.LICENCE_ADMIN, GrantScope.units(Set.of(fixture.organiserId), Set.of("FS")));
        assertThat(csv(as(preschools), "")).as("the organiser's pool reaches every form: not a preschool grant's").isEmpty();
        assertThat(csv(as(preschools), "/utilisation/renewals.csv", "", articleNumber)).isEmpty();
        // a period the database has no days for is refused as one backwards is (the default period shown), not a 500
        assertThat(as(principal).get("/utilisation.csv?to=%2B5874898-01-01").status()).isEqualTo(200);
        assertThat(as(principal).get("/utilisation?lang=en&from=-5000-01-01").status()).isEqualTo(200);
    }

    @Test
    void aLongTableIsShownAPageAtATimeWithLinksThatKeepThePageAndItsCsvHoldsEveryRow() throws Exception {
        // one row a page (50 when configured as shipped): school A and school B each on a page of their own
        Object pages = context.getBean("utilisationPages");
        ReflectionTestUtils.setField(pages, "rowsPerPage", 1);
        try {
            WebSession admin = as(licenceAdmin);
            String first = admin.get("/utilisation?lang=en&product=" + english).body();
            String firstUnit = unitsShown(first);
            assertThat(firstUnit).isIn(schoolUnitName, schoolBName);
            assertThat(first).contains("Rows 1–1 of 2. The CSV holds every row.");
            String next = link(first, "unitsPage=2");
            assertThat(next).startsWith("/utilisation?").contains("product=" + english, "lang=en").endsWith("#units");
            assertThat(first).doesNotContain("unitsPage=1");

            String second = admin.get(next.substring(0, next.indexOf('#'))).body(); // a browser keeps the #units to itself
            String secondUnit = unitsShown(second);
            assertThat(secondUnit).isIn(schoolUnitName, schoolBName).isNotEqualTo(firstUnit);
            assertThat(second).contains("Rows 2–2 of 2.").doesNotContain("unitsPage=3");
            // the page before, and the other tables' links keep this table's page
            assertThat(link(second, "unitsPage=1")).contains("product=" + english);
            assertThat(link(second, "linesPage=2")).contains("unitsPage=2", "product=" + english).endsWith("#utilisation-table");
            // a page past the last shows the last; the CSV holds both rows whatever page is shown
            assertThat(unitsShown(admin.get("/utilisation?lang=en&unitsPage=99&product=" + english).body())).isEqualTo(secondUnit);
            assertThat(csv(admin, "/utilisation/units.csv", "?product=" + english + "&unitsPage=2", englishArticle))
                    .extracting(r -> r.get("school_unit")).containsExactlyInAnyOrder(schoolUnitName, schoolBName);
            // in Swedish too, with the total
            assertThat(admin.get("/utilisation?lang=sv&product=" + english).body()).contains("Rad 1–1 av 2.", "Nästa sida");
        } finally {
            ReflectionTestUtils.setField(pages, "rowsPerPage", 50);
        }
        // as shipped both fit on one page, without links
        String whole = as(licenceAdmin).get("/utilisation?lang=en&product=" + english).body();
        assertThat(whole).doesNotContain("unitsPage=", "class=\"pager\"");
        assertThat(whole.substring(whole.indexOf("id=\"units-table\""))).contains(schoolUnitName, schoolBName);
    }

    /** The one school unit the page's table per school unit shows. */
    private String unitsShown(String page) {
        int start = page.indexOf("id=\"units-table\"");
        assertThat(start).as("the table per school unit").isPositive();
        String table = page.substring(start, page.indexOf("</table>", start));
        List<String> shown = java.util.stream.Stream.of(schoolUnitName, schoolBName).filter(table::contains).toList();
        assertThat(shown).as("units on this page").hasSize(1);
        return shown.getFirst();
    }

    /** The address of the page's link whose address holds the words, as a browser follows it. */
    private static String link(String page, String holding) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("href=\"([^\"]*" + java.util.regex.Pattern.quote(holding) + "[^\"]*)\"").matcher(page);
        assertThat(m.find()).as("a link with " + holding).isTrue();
        return m.group(1).replace("&amp;", "&");
    }

    /**
     * Whether the figures are kept is asked of PostgreSQL's counts, not only of the planner's estimate: right after a large
     * ingest autovacuum has not analysed the table yet, and the page would count every row on every visit meanwhile.
     */
    @Test
    void rowsJustWrittenCountTowardsKeepingTheFiguresBeforeAutovacuumAnalysesThem() {
        UUID unsold = fixture.product(fixture.supplierId, Set.of(Attribute.PSEUDONYMOUS_ID)); // no pool: on no page
        long before = counts.liveBelow();
        try {
            jdbc.sql("""
                            insert into usage_day (product_id, person_id, day, supplier_id, sessions, reported_at)
                            select :p, person, current_date - 500 - d, :s, 1, now() from unnest(:persons) person, generate_series(0, 19) d""")
                    .param("p", unsold).param("s", fixture.supplierId).param("persons", fixture.persons.toArray(UUID[]::new)).update();
            long rows = jdbc.sql("select (select count(*) from usage_day) + (select count(*) from licence_assignment)").query(Long.class).single();
            long estimated = jdbc.sql("""
                            select coalesce(sum(greatest(reltuples, 0)), 0)::bigint from pg_class
                            where oid in ('licence_assignment'::regclass, 'usage_day'::regclass)""").query(Long.class).single();
            counts.liveBelow(rows);
            // PostgreSQL's counts arrive within seconds of a commit; the planner's estimate only at the next analyze
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(counts::large);
            assertThat(estimated).as("the planner had not seen the new rows (else this shows nothing)").isLessThan(rows);
        } finally {
            counts.liveBelow(before);
            jdbc.sql("delete from usage_day where product_id = :p").param("p", unsold).update();
        }
    }

    @Test
    void theTrendShowsAssignedAndUsedPerTermFromKeptDaysAndFoldedMonths() throws Exception {
        List<Utilisation.Term> terms = Utilisation.Term.last(Utilisation.TERMS, LocalDate.now());
        List<CSVRecord> rows = csv(as(licenceAdmin), "/utilisation/terms.csv", "?product=" + english, englishArticle);
        assertThat(rows).extracting(r -> r.get("term")).containsExactlyElementsOf(terms.stream().map(Utilisation.Term::key).toList());
        CSVRecord first = rows.getFirst();
        assertThat(List.of(first.get("seats_assigned"), first.get("seats_used"))).as("a folded month: 7 used, nobody held a seat then")
                .containsExactly("0", "7");
        assertThat(rows.get(1).get("seats_used")).isEqualTo("0");
        CSVRecord now = rows.getLast();
        // in July the latest term is the spring just ended, before these seats were given
        boolean july = LocalDate.now().getMonthValue() == 7;
        assertThat(List.of(now.get("seats_assigned"), now.get("seats_used"))).containsExactly(july ? "0" : "14", july ? "0" : "9");

        String page = as(licenceAdmin).get("/utilisation?lang=en&product=" + english).body();
        int autumn = terms.stream().filter(Utilisation.Term::autumn).findFirst().orElseThrow().year();
        assertThat(page).contains("id=\"terms-chart\"", "id=\"terms-table\"", "Autumn " + autumn, "/utilisation/terms.csv?product=" + english);
        assertThat(as(licenceAdmin).get("/utilisation?lang=sv&product=" + english).body()).contains("Över terminerna", "Vårtermin");
        assertThat(as(licenceAdmin).get("/utilisation?lang=da&product=" + english).body()).contains("Over semestrene", "Forår");
        // the buyer for A: school B's folded month is not theirs
        assertThat(csv(as(unitBuyer), "/utilisation/terms.csv", "?product=" + english, englishArticle).getFirst().get("seats_used")).isEqualTo("0");
    }

    /**
     * A large installation's last 30 days are read from the figures kept (UtilisationCounts), and they are the figures
     * counted live: for every kind of viewer (the whole installation, a school unit's and an organiser's buyer, a principal,
     * purchasing centres over the organiser and over one school) and every table behind a chart. The page says when they
     * were counted; a period chosen is counted on the visit.
     */
    @Test
    void theKeptFiguresOfTheLast30DaysAreTheFiguresCountedLive() throws Exception {
        Map<String, WebSession> sessions = new LinkedHashMap<>();
        for (String user : List.of(licenceAdmin, unitBuyer, organiserBuyer, principalA, regional, regionalB)) {
            sessions.put(user, as(user));
        }
        List<String> tables = List.of("/utilisation.csv", "/utilisation.csv?product=" + english, "/utilisation/renewals.csv?horizon=730",
                "/utilisation/renewals.csv?horizon=45&product=" + english, "/utilisation/units.csv?product=" + english,
                "/utilisation/units.csv?product=" + fixture.productId, "/utilisation/terms.csv", "/utilisation/terms.csv?product=" + english);
        Map<String, String> live = new HashMap<>();
        sessions.forEach((user, session) -> tables.forEach(t -> live.put(user + t, session.get(t).body())));
        assertThat(live.get(licenceAdmin + "/utilisation.csv").lines().count()).as("figures to compare").isGreaterThan(2);
        assertThat(sessions.get(licenceAdmin).get("/utilisation?lang=en").body()).doesNotContain("id=\"counted-at\"");

        long before = counts.liveBelow();
        counts.liveBelow(0);
        try {
            java.time.Instant counted = counts.recount(LocalDate.now());
            assertThat(jdbc.sql("select count(*) from utilisation_kept").query(Long.class).single()).isPositive();
            sessions.forEach((user, session) -> tables.forEach(t -> assertThat(session.get(t).body()).as(user + " " + t).isEqualTo(live.get(user + t))));
            String at = java.time.LocalDateTime.ofInstant(counted, java.time.ZoneId.systemDefault())
                    .format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"));
            assertThat(sessions.get(licenceAdmin).get("/utilisation?lang=en").body()).contains("id=\"counted-at\"", "counted at " + at);
            assertThat(sessions.get(licenceAdmin).get("/utilisation?lang=sv").body()).contains("räknade " + at);
            assertThat(sessions.get(licenceAdmin).get("/utilisation?lang=en&from=" + LocalDate.now().minusDays(29) + "&to=" + LocalDate.now()).body())
                    .as("a period chosen is counted now").doesNotContain("id=\"counted-at\"");
        } finally {
            counts.liveBelow(before);
        }
    }

    /** The page's tables, as drawn: what a period's figures look like to the viewer. */
    private static List<String> tablesOf(String page) {
        return java.util.regex.Pattern.compile("<table.*?</table>", java.util.regex.Pattern.DOTALL).matcher(page).results()
                .map(java.util.regex.MatchResult::group).toList();
    }

    @Test
    void aPeriodChosenOnALargeInstallationIsCountedInTheBackgroundSaidSoAndThenShownAsCountedLive() throws Exception {
        String period = "from=" + LocalDate.now().minusDays(40) + "&to=" + LocalDate.now();
        Map<String, String> pages = Map.of(licenceAdmin, "/utilisation?lang=en&" + period + "&product=" + english + "&horizon=730",
                principalA, "/utilisation?lang=en&" + period + "&product=" + english, regional, "/utilisation?lang=en&" + period);
        Map<String, WebSession> sessions = new HashMap<>();
        Map<String, List<String>> live = new HashMap<>();
        for (var page : pages.entrySet()) {
            sessions.put(page.getKey(), as(page.getKey()));
            live.put(page.getKey(), tablesOf(sessions.get(page.getKey()).get(page.getValue()).body()));
        }
        assertThat(live.get(licenceAdmin)).as("seats, renewals, units and terms").hasSizeGreaterThanOrEqualTo(4);

        long before = counts.liveBelow();
        counts.liveBelow(0);
        try {
            for (var page : pages.entrySet()) {
                WebSession session = sessions.get(page.getKey());
                String first = session.get(page.getValue()).body();
                assertThat(first).as("the first visit says it is counting, and shows no figures yet").contains("id=\"counting\"", "role=\"status\"",
                        "Counting the figures for " + LocalDate.now().minusDays(40) + " – " + LocalDate.now());
                assertThat(tablesOf(first)).isEmpty();
                assertThat(first).doesNotContain("No licences in force in this period.");
                String asking = page.getValue().replace("/utilisation?", "/utilisation/counting?");
                long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
                int status;
                while ((status = session.get(asking).status()) == 204 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(status).as("done: htmx is told to load the page again").isEqualTo(200);
                String counted = session.get(page.getValue()).body();
                assertThat(counted).doesNotContain("id=\"counting\"").contains("id=\"period-counted-at\"");
                assertThat(tablesOf(counted)).as(page.getKey() + ": the figures counted in the background are those counted live")
                        .isEqualTo(live.get(page.getKey()));
            }
            // each viewer's figures were counted once and are read from then on
            List<java.sql.Timestamp> started = jdbc.sql("select started_at from utilisation_period_count where state = 'DONE' order by key")
                    .query(java.sql.Timestamp.class).list();
            assertThat(started).hasSizeGreaterThanOrEqualTo(3);
            sessions.get(licenceAdmin).get(pages.get(licenceAdmin));
            assertThat(jdbc.sql("select started_at from utilisation_period_count where state = 'DONE' order by key").query(java.sql.Timestamp.class).list())
                    .as("a visit while the count is fresh counts nothing").isEqualTo(started);

            // the CSV behind the page's table holds the figures the page shows: the count, not a count of its own. The four of
            // school B's ten holders who had not used it now did, inside the period
            String csvLink = java.util.regex.Pattern.compile("href=\"(/utilisation\\.csv[^\"]*)\"").matcher(sessions.get(licenceAdmin)
                    .get(pages.get(licenceAdmin)).body()).results().map(m -> m.group(1).replace("&amp;", "&")).findFirst().orElseThrow();
            assertThat(csvLink).contains(period, "product=" + english, "horizon=730");
            String countedCsv = sessions.get(licenceAdmin).get(csvLink).body();
            assertThat(CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(new StringReader(countedCsv)).getRecords().stream()
                    .filter(r -> r.get("organisation").equals(schoolBName)).findFirst().orElseThrow().get("seats_used")).isEqualTo("6");
            List<UUID> activeB = pupils(schoolB, 10).subList(6, 10);
            try {
                for (UUID person : activeB) {
                    jdbc.sql("""
                                    insert into usage_day (product_id, person_id, day, supplier_id, sessions, reported_at)
                                    values (:p, :person, current_date - 2, :s, 1, now())""")
                            .param("p", english).param("person", person).param("s", fixture.supplierId).update();
                }
                assertThat(sessions.get(licenceAdmin).get(csvLink).body()).as("read from the count").isEqualTo(countedCsv);
                counts.liveBelow(before);
                String nowLive = sessions.get(licenceAdmin).get(csvLink).body();
                assertThat(nowLive).as("counted on the request, once the installation is small again: the new use shows").isNotEqualTo(countedCsv);
                assertThat(CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(new StringReader(nowLive)).getRecords().stream()
                        .filter(r -> r.get("organisation").equals(schoolBName)).findFirst().orElseThrow().get("seats_used")).isEqualTo("10");
                counts.liveBelow(0);
            } finally {
                jdbc.sql("delete from usage_day where product_id = :p and day = current_date - 2 and person_id = any (:people)")
                        .param("p", english).param("people", activeB.toArray(UUID[]::new)).update();
            }

            String swedish = sessions.get(regional).get("/utilisation?lang=sv&from=" + LocalDate.now().minusDays(50) + "&to=" + LocalDate.now()).body();
            assertThat(swedish).contains("id=\"counting\"", "räknas", "Titta igen");
        } finally {
            counts.liveBelow(before);
        }
    }

    @Test
    void theScheduledRecountIsSkippedWhileNothingChangedAndMadeOnceSomethingDid() throws Exception {
        long before = counts.liveBelow();
        counts.liveBelow(0);
        try {
            counts.recount(LocalDate.now());
            // PostgreSQL's statistics are a second or so behind: what earlier tests changed may still arrive, then it settles
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
            while (counts.recountIfChanged(LocalDate.now()).isPresent()) {
                assertThat(System.nanoTime()).as("settles while nothing changes").isLessThan(deadline);
                Thread.sleep(600);
            }
            java.sql.Timestamp counted = jdbc.sql("select counted_at from utilisation_kept_state").query(java.sql.Timestamp.class).single();
            assertThat(counts.recountIfChanged(LocalDate.now())).as("nothing changed").isEmpty();
            assertThat(jdbc.sql("select counted_at from utilisation_kept_state").query(java.sql.Timestamp.class).single()).isEqualTo(counted);

            // the supplier reports a day of use: the next turns count again
            UUID person = fixture.persons.get(3);
            String pseudonym = (String) policy.release(person, fixture.productId, Channel.SCIM_PUSH).values().get(Attribute.PSEUDONYMOUS_ID);
            assertThat(reports.report(fixture.supplierId, "test", List.of(new UsageReports.ReportedRow(pseudonym, fixture.productId.toString(),
                    LocalDate.now().minusDays(2).toString(), null, 1, 1))).accepted()).isEqualTo(1);
            deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
            Optional<java.time.Instant> again;
            while ((again = counts.recountIfChanged(LocalDate.now())).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(300);
            }
            assertThat(again).as("counted again after the change").isPresent();
            assertThat(jdbc.sql("select counted_at from utilisation_kept_state").query(java.sql.Timestamp.class).single()).isAfter(counted);
        } finally {
            counts.liveBelow(before);
        }
    }

    @Test
    void aFailedCountIsSaidSoAndALostOneIsStartedAgain() throws Exception {
        WebSession session = as(licenceAdmin);
        LocalDate from = LocalDate.now().minusDays(70);
        String page = "/utilisation?lang=en&from=" + from + "&to=" + LocalDate.now().minusDays(3);
        String key = "%" + from + "|" + LocalDate.now().minusDays(3) + "|" + LocalDate.now();
        long before = counts.liveBelow();
        counts.liveBelow(0);
        try {
            assertThat(session.get(page).body()).contains("id=\"counting\"");
            // the count ends first (it would otherwise write its figures over the failure made up below)
            long counted = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            while (session.get(page.replace("/utilisation?", "/utilisation/counting?")).status() == 204 && System.nanoTime() < counted) {
                Thread.sleep(50);
            }
            // as if the count had failed a moment ago: said so, and not counted again at once (no retry in a loop)
            jdbc.sql("update utilisation_period_count set state = 'FAILED', sections = null, finished_at = now() where key like :k and key like '%|all|%'")
                    .param("k", key).update();
            String failed = session.get(page).body();
            assertThat(failed).contains("id=\"count-failed\"", "role=\"alert\"", "could not be counted").doesNotContain("id=\"counting\"");
            assertThat(session.get(page.replace("/utilisation?", "/utilisation/counting?")).status()).as("the page stops asking").isEqualTo(200);
            // a minute later the next visit counts it again
            jdbc.sql("update utilisation_period_count set finished_at = now() - interval '2 minutes' where key like :k and key like '%|all|%'")
                    .param("k", key).update();
            assertThat(session.get(page).body()).contains("id=\"counting\"").doesNotContain("id=\"count-failed\"");
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            while (session.get(page.replace("/utilisation?", "/utilisation/counting?")).status() == 204 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            // a count whose node stopped (never finished) is given up after a while and started again by the next visit
            jdbc.sql("""
                    update utilisation_period_count set state = 'COUNTING', sections = null, finished_at = null, started_at = now() - interval '20 minutes'
                    where key like :k and key like '%|all|%'""").param("k", key).update();
            assertThat(session.get(page).body()).contains("id=\"counting\"");
            assertThat(jdbc.sql("select started_at > now() - interval '1 minute' from utilisation_period_count where key like :k and key like '%|all|%'")
                    .param("k", key).query(Boolean.class).single()).as("started anew").isTrue();
        } finally {
            counts.liveBelow(before);
        }
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

    /**
     * A purchasing centre (REGIONAL) sees the same figures per organiser: every pool of a product at the organiser
     * together, each holder once; no school unit's line, no split per school unit, never a person; counts under 5
     * suppressed as everywhere; and only the pools within its scope.
     */
    @Test
    void aPurchasingCentreSeesTheSameFiguresPerOrganiserAndNoSchoolUnit() throws Exception {
        WebSession region = as(regional);
        List<CSVRecord> main = csv(region, "");
        assertThat(main).extracting(r -> r.get("organisation")).containsExactly(organiserName);
        assertThat(main.getFirst().get("seats_bought")).as("the organiser's 1,000 and school A's 10").isEqualTo("1010");
        assertThat(main.getFirst().get("seats_assigned")).isEqualTo(Long.toString(assignedAtOrganiser + 3));
        assertThat(main.getFirst().get("seats_used")).as("12 of the organiser's pool and 2 of school A's").isEqualTo("14");
        CSVRecord englishLine = csv(region, "/utilisation.csv", "", englishArticle).getFirst();
        assertThat(englishLine.get("organisation")).isEqualTo(organiserName);
        assertThat(List.of(englishLine.get("seats_bought"), englishLine.get("seats_assigned"), englishLine.get("seats_used")))
                .as("schools A and B together: A's 4 and 3 alone would not be shown").containsExactly("48", "14", "9");
        assertThat(csv(region, "/utilisation/renewals.csv", "", englishArticle)).extracting(r -> r.get("organisation"))
                .containsOnly(organiserName).hasSize(2);
        assertThat(region.get("/utilisation/units.csv?product=" + english).body().lines().count()).as("the header only").isEqualTo(1);

        WebSession.Answer page = region.get("/utilisation?lang=en&product=" + english);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("Per organiser in your region", organiserName, "data-value=\"48\"", "href=\"/utilisation\"")
                .doesNotContain(schoolUnitName, schoolBName, "id=\"units\"");
        assertThat(region.get("/utilisation?lang=sv").body()).contains("Per huvudman i er region", "<th scope=\"col\">Huvudman</th>");

        // a purchasing centre whose scope is school B sees only what was bought for B, under the organiser's name
        WebSession b = as(regionalB);
        assertThat(csv(b, "")).as("nothing of the main product was bought for school B").isEmpty();
        CSVRecord onlyB = csv(b, "/utilisation.csv", "", englishArticle).getFirst();
        assertThat(List.of(onlyB.get("organisation"), onlyB.get("seats_bought"), onlyB.get("seats_assigned"), onlyB.get("seats_used")))
                .containsExactly(organiserName, "40", "10", "6");
    }

    @Test
    void thePageShowsTheChartAndTheSameFiguresAsATableInEveryLanguage() {
        WebSession session = as(licenceAdmin);
        WebSession.Answer en = session.get("/utilisation?lang=en");
        assertThat(en.status()).isEqualTo(200);
        assertThat(en.body()).contains("Utilisation of licences", "id=\"utilisation-chart\"", "role=\"img\"", "/webjars/chart.js/4.5.1/dist/chart.umd.min.js",
                "<caption id=\"utilisation-caption\"", articleNumber, "fewer than 5", "data-value=\"1000\"", "data-value=\"12\"",
                "data-value=\"" + assignedAtOrganiser + "\"", "href=\"/utilisation.csv\"");
        // the CSV links carry the page's own query: a period spelled out only where one was chosen (the default one may be kept)
        assertThat(session.get("/utilisation?lang=en&from=" + LocalDate.now().minusDays(9)).body())
                .contains("href=\"/utilisation.csv?from=" + LocalDate.now().minusDays(9) + "\"");
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

    @Test
    void thePoolPageAndTheOrderPageTellTheUtilisationAndLinkToIt() {
        String link = "href=\"/utilisation?product=" + english + "\"";
        WebSession admin = as(licenceAdmin);
        WebSession.Answer b = admin.get("/licences/pools/" + poolB + "?lang=en");
        assertThat(b.status()).isEqualTo(200);
        assertThat(b.body()).contains("Utilisation, last 30 days:", "Seats bought 40", "Assigned 10", "Used 6", link);
        assertThat(admin.get("/licences/pools/" + poolA + "?lang=en").body()).contains("Seats bought 8", "Assigned 4", "Used fewer than 5")
                .doesNotContain("Used 3");
        assertThat(admin.get("/licences/pools/" + poolB + "?lang=sv").body()).contains("Nyttjande, senaste 30 dagarna:", "Se nyttjande");
        assertThat(admin.get("/licences/pools/" + poolB + "?lang=da").body()).contains("Udnyttelse, seneste 30 dage:", "Se udnyttelse");

        WebSession.Answer order = as(organiserBuyer).get("/purchase/orders/" + englishOrder + "?lang=en");
        assertThat(order.status()).isEqualTo(200);
        assertThat(order.body()).contains("Utilisation, last 30 days:", "Seats bought 40", "Assigned 10", "Used 6", link);
    }
}
