package org.tilldela.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.access.SupplierClients;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.ledger.Channel;
import org.tilldela.licensing.LicencePools;

/**
 * Suppliers report usage through their API door: per pseudonym, product and day, every row answered,
 * resends replacing, and nothing stored about a pseudonym the supplier was never given.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UsageReportsApiTest extends IntegrationTest {

    @LocalServerPort int port;
    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired ReleasePolicy policy;
    @Autowired SupplierClients clients;
    @Autowired AdminAccounts accounts;
    @Autowired org.tilldela.ledger.LedgerReports ledgerReports;
    @Autowired org.tilldela.ledger.PersonReportPdf pdf;
    @Autowired org.springframework.context.ApplicationEventPublisher events;

    AccessFixture fixture;
    SupplierClients.Credentials credentials;
    /** Person → the supplier's pseudonym of them, as released to it. */
    Map<UUID, String> pseudonyms = new HashMap<>();
    UUID othersProduct;
    String othersPseudonym;

    @BeforeAll
    void setUp() throws Exception {
        fixture = new AccessFixture(imports, jdbc, catalog, pools, 300);
        credentials = clients.create(fixture.supplierId, "test");
        // the supplier was given the pseudonyms of all but the last of the fixture's persons
        release(fixture.persons.subList(0, fixture.persons.size() - 1));
        UUID otherSupplier = fixture.supplier("Annan förläggare", true);
        othersProduct = fixture.product(otherSupplier, java.util.Set.of(Attribute.PSEUDONYMOUS_ID));
        fixture.license(othersProduct, fixture.persons);
        othersPseudonym = (String) policy.release(fixture.persons.getLast(), othersProduct, Channel.SCIM_PUSH).values().get(Attribute.PSEUDONYMOUS_ID);
    }

    private void release(List<UUID> who) {
        policy.releaseAll(who, fixture.productId, Channel.SCIM_PUSH).forEach(r -> pseudonyms.put(r.personId(), (String) r.values().get(Attribute.PSEUDONYMOUS_ID)));
    }

    private RestClient as(String user, String password) {
        return RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(user, password))
                .defaultStatusHandler(HttpStatusCode::isError, (req, res) -> { }).build();
    }

    private ResponseEntity<Map<String, Object>> report(List<Map<String, Object>> rows) {
        return as(credentials.clientId(), credentials.secret()).post().uri("/api/v1/supplier/usage").contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("rows", rows)).retrieve().toEntity(new ParameterizedTypeReference<>() { });
    }

    private static Map<String, Object> row(String pseudonym, UUID product, LocalDate day, int sessions) {
        Map<String, Object> row = new HashMap<>();
        row.put("pseudonym", pseudonym);
        row.put("productId", product == null ? null : product.toString());
        row.put("day", day.toString());
        row.put("sessions", sessions);
        row.put("activities", sessions * 3);
        return row;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> results(ResponseEntity<Map<String, Object>> answer) {
        return (List<Map<String, Object>>) answer.getBody().get("rows");
    }

    private Integer storedSessions(UUID person, LocalDate day) {
        return jdbc.sql("select sessions from usage_day where product_id = :p and person_id = :person and day = :d").param("p", fixture.productId)
                .param("person", person).param("d", day).query(Integer.class).optional().orElse(null);
    }

    @Test
    void aResendOfTheSameDayReplacesTheRowAndNeverAddsToIt() {
        UUID person = fixture.persons.get(0);
        LocalDate yesterday = LocalDate.now().minusDays(1);
        Map<String, Object> first = row(pseudonyms.get(person), fixture.productId, yesterday, 4);
        first.put("lastActiveAt", yesterday.atTime(14, 5).atZone(java.time.ZoneId.systemDefault()).toInstant().toString());
        ResponseEntity<Map<String, Object>> answer = report(List.of(first));
        assertThat(answer.getStatusCode().value()).isEqualTo(200);
        assertThat(answer.getBody()).containsEntry("accepted", 1).containsEntry("refused", 0);
        assertThat(storedSessions(person, yesterday)).isEqualTo(4);
        // other tests report other days of the same person: the resend must leave their number of rows as it is
        java.util.function.Supplier<Long> rowsOfThePerson = () -> jdbc.sql("select count(*) from usage_day where product_id = :p and person_id = :person")
                .param("p", fixture.productId).param("person", person).query(Long.class).single();
        long before = rowsOfThePerson.get();

        assertThat(report(List.of(row(pseudonyms.get(person), fixture.productId, yesterday, 7))).getBody()).containsEntry("accepted", 1);
        assertThat(storedSessions(person, yesterday)).as("replaced, not 11").isEqualTo(7);
        assertThat(rowsOfThePerson.get()).as("no row added").isEqualTo(before);
        assertThat(jdbc.sql("select last_active_at is null from usage_day where product_id = :p and person_id = :person and day = :d")
                .param("p", fixture.productId).param("person", person).param("d", yesterday).query(Boolean.class).single())
                .as("the resend replaces the whole row, its missing last-active time too").isTrue();
    }

    @Test
    void everyRowIsAnsweredAndOnlyTheGoodOnesAreStored() {
        UUID person = fixture.persons.get(1);
        String known = pseudonyms.get(person);
        UUID neverGiven = fixture.persons.getLast();
        LocalDate day = LocalDate.now().minusDays(3);
        List<Map<String, Object>> rows = List.of(
                row(known, fixture.productId, day, 1),                                          // 0 replaced by 8
                row(UUID.randomUUID().toString(), fixture.productId, day, 1),                   // 1 a pseudonym nobody has
                row(othersPseudonym, fixture.productId, day, 1),                                // 2 another supplier's pseudonym of a person this one was never given
                row(known, othersProduct, day, 1),                                              // 3 another supplier's product
                row(known, UUID.randomUUID(), day, 1),                                          // 4 no such product
                row(known, fixture.productId, LocalDate.now().plusDays(1), 1),                  // 5 tomorrow
                row(known, fixture.productId, LocalDate.now().minusMonths(14), 1),              // 6 past the retention
                row("not-a-uuid", fixture.productId, day, 1),                                   // 7
                row(known, fixture.productId, day, 5),                                          // 8 the same person and day as row 0
                row(known, null, day, 1),                                                       // 9
                row(known, fixture.productId, day.minusDays(1), -2));                           // 10
        ResponseEntity<Map<String, Object>> answer = report(rows);
        assertThat(answer.getStatusCode().value()).isEqualTo(200);
        List<Map<String, Object>> results = results(answer);
        // every row not simply accepted, by its place in the report; row 8, accepted, is not listed
        assertThat(results).extracting(r -> r.get("row")).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 9, 10);
        assertThat(results).extracting(r -> r.get("status") + ":" + r.get("reason")).containsExactly(
                "REPLACED_IN_REPORT:null", "REFUSED:unknownPseudonym", "REFUSED:unknownPseudonym", "REFUSED:unknownProduct", "REFUSED:unknownProduct",
                "REFUSED:inTheFuture", "REFUSED:beforeRetention", "REFUSED:malformed", "REFUSED:missingField", "REFUSED:negativeCount");
        assertThat(answer.getBody()).containsEntry("accepted", 2).containsEntry("refused", 9);
        assertThat(storedSessions(person, day)).isEqualTo(5);
        assertThat(jdbc.sql("select count(*) from usage_day where person_id = :p").param("p", neverGiven).query(Long.class).single()).isZero();
        assertThat(jdbc.sql("select count(*) from usage_day where product_id = :p").param("p", othersProduct).query(Long.class).single()).isZero();
    }

    /** A last activity long before the kept days (year 0: no time the database keeps) refuses its row, not the report. */
    @Test
    void aLastActivityLongAgoRefusesItsRowOnly() {
        UUID person = fixture.persons.get(4);
        LocalDate day = LocalDate.now().minusDays(2);
        Map<String, Object> ancient = new java.util.HashMap<>(row(pseudonyms.get(person), fixture.productId, day.minusDays(1), 1));
        ancient.put("lastActiveAt", "0000-01-01T00:00:00Z");
        ResponseEntity<Map<String, Object>> answer = report(List.of(row(pseudonyms.get(person), fixture.productId, day, 2), ancient));
        assertThat(answer.getStatusCode().value()).isEqualTo(200);
        assertThat(results(answer)).singleElement().satisfies(r -> assertThat(r).containsEntry("row", 1).containsEntry("reason", "beforeRetention"));
        assertThat(storedSessions(person, day)).isEqualTo(2);
    }

    /** The supplier knows the person's pseudonym from one product: usage of another of its products without a licence is refused. */
    @Test
    void usageOfTheSuppliersOtherProductByAPersonWithoutItsLicenceIsRefused() {
        UUID person = fixture.persons.get(3);
        UUID unlicensed = fixture.product(fixture.supplierId, java.util.Set.of(Attribute.PSEUDONYMOUS_ID));
        LocalDate day = LocalDate.now().minusDays(2);
        ResponseEntity<Map<String, Object>> answer = report(List.of(row(pseudonyms.get(person), unlicensed, day, 3),
                row(pseudonyms.get(person), fixture.productId, day, 2)));
        assertThat(results(answer)).singleElement().satisfies(r -> assertThat(r).containsEntry("row", 0).containsEntry("status", "REFUSED")
                .containsEntry("reason", "notLicensed"));
        assertThat(answer.getBody()).containsEntry("accepted", 1).containsEntry("refused", 1);
        assertThat(jdbc.sql("select count(*) from usage_day where product_id = :p").param("p", unlicensed).query(Long.class).single()).isZero();
    }

    @Test
    void aPseudonymGivenAfterTheFirstReportIsKnownAtTheNext() {
        UUID later = fixture.persons.get(fixture.persons.size() - 1);
        UUID other = fixture.persons.get(2);
        LocalDate day = LocalDate.now().minusDays(5);
        assertThat(report(List.of(row(pseudonyms.get(other), fixture.productId, day, 1))).getBody()).containsEntry("accepted", 1);
        String pseudonym = (String) policy.release(later, fixture.productId, Channel.SCIM_PUSH).values().get(Attribute.PSEUDONYMOUS_ID);
        ResponseEntity<Map<String, Object>> answer = report(List.of(row(pseudonym, fixture.productId, day, 2)));
        assertThat(answer.getBody()).containsEntry("accepted", 1).containsEntry("refused", 0);
        assertThat(results(answer)).isEmpty();
        assertThat(storedSessions(later, day)).isEqualTo(2);
    }

    @Test
    void aReportOfTenThousandRowsIsAnsweredWithTheRowsNotTakenAndOneMoreIsRefusedWhole() {
        List<Map<String, Object>> rows = new ArrayList<>(UsageReports.MAX_ROWS + 1);
        List<UUID> given = new ArrayList<>(pseudonyms.keySet());
        LocalDate start = LocalDate.now().minusDays(10);
        outer:
        for (int d = 0; ; d++) {
            for (UUID person : given) {
                if (rows.size() == 6_000) {
                    break outer;
                }
                rows.add(row(pseudonyms.get(person), fixture.productId, start.minusDays(d), d % 7));
            }
        }
        while (rows.size() < UsageReports.MAX_ROWS) {
            rows.add(row(UUID.randomUUID().toString(), fixture.productId, start, 1));
        }
        ResponseEntity<Map<String, Object>> answer = report(rows);
        assertThat(answer.getStatusCode().value()).isEqualTo(200);
        assertThat(answer.getBody()).containsEntry("accepted", 6_000).containsEntry("refused", 4_000);
        // only the 4,000 refused rows are listed, each by its place in the report
        assertThat(results(answer)).hasSize(4_000).allSatisfy(r -> assertThat(r).containsEntry("status", "REFUSED").containsEntry("reason", "unknownPseudonym"))
                .extracting(r -> (Integer) r.get("row")).containsExactlyElementsOf(java.util.stream.IntStream.range(6_000, 10_000).boxed().toList());
        assertThat(jdbc.sql("select count(*) from usage_day where product_id = :p and day <= :start").param("p", fixture.productId).param("start", start)
                .query(Long.class).single()).isEqualTo(6_000L);

        rows.add(row(pseudonyms.get(given.getFirst()), fixture.productId, start, 1));
        assertThat(report(rows).getStatusCode().value()).isEqualTo(413);
    }

    @Test
    void signInsThroughTilldelaCountAsUsageAndASuppliersReportOfTheSameDayKeepsThem() {
        UUID product = fixture.product(fixture.supplierId, java.util.Set.of(Attribute.PSEUDONYMOUS_ID));
        UUID person = fixture.persons.get(6);
        fixture.license(product, List.of(person)); // usage is kept only of a person licensed for the product
        java.time.Instant now = java.time.Instant.now();
        LocalDate today = now.atZone(java.time.ZoneId.systemDefault()).toLocalDate();
        // a minute before, but on the same day also just after midnight (a run at 00:00:27 counted it on the day before)
        java.time.Instant earlier = java.util.Collections.max(List.of(now.minusSeconds(60), today.atStartOfDay(java.time.ZoneId.systemDefault()).toInstant()));
        events.publishEvent(new org.tilldela.sso.SignedInToProduct(person, product, fixture.supplierId, earlier));
        events.publishEvent(new org.tilldela.sso.SignedInToProduct(person, product, fixture.supplierId, now));

        // the supplier reports the same day twice (a resend replaces its own figures)
        for (int sessions : List.of(4, 5)) {
            assertThat(report(List.of(row(pseudonyms.get(person), product, today, sessions))).getBody()).containsEntry("accepted", 1);
        }
        assertThat(jdbc.sql("select sessions, sign_ins from usage_day where person_id = :p and product_id = :product and day = :day")
                .param("p", person).param("product", product).param("day", today).query((rs, n) -> List.of(rs.getInt(1), rs.getInt(2))).single())
                .as("the supplier's sessions replaced, Tilldela's sign-ins kept").containsExactly(5, 2);

        var report = ledgerReports.personReport(person, new org.tilldela.directory.Viewer("dpo-usage-test", false), "test");
        assertThat(report.usage()).filteredOn(u -> u.productId().equals(product)).singleElement().satisfies(u -> {
            assertThat(u.activeDays()).isEqualTo(1);
            assertThat(u.signIns()).isEqualTo(2);
            assertThat(u.lastActiveAt()).as("the later sign-in").isAfterOrEqualTo(now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        });
    }

    @Test
    void administratorsCredentialsDoNotOpenTheSupplierDoor() {
        String admin = "usage-admin-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(admin, "Usage admin", "usage-admin-password-1", EnumSet.allOf(AdminRight.class), "test");
        ResponseEntity<String> answer = as(admin, "usage-admin-password-1").post().uri("/api/v1/supplier/usage").contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("rows", List.of(row(pseudonyms.values().iterator().next(), fixture.productId, LocalDate.now(), 1)))).retrieve().toEntity(String.class);
        assertThat(answer.getStatusCode().value()).isEqualTo(401);
    }

    @Test
    void thePersonsReportHasAUsageLineForWhatTheSupplierReported() throws Exception {
        // a product of its own, so that the other tests' reports about the same person do not count here
        UUID product = fixture.product(fixture.supplierId, java.util.Set.of(Attribute.PSEUDONYMOUS_ID));
        UUID person = fixture.persons.get(3);
        fixture.license(product, List.of(person)); // usage is kept only of a person licensed for the product
        LocalDate first = LocalDate.now().minusDays(9), last = LocalDate.now().minusDays(2);
        Map<String, Object> latest = row(pseudonyms.get(person), product, last, 1);
        latest.put("lastActiveAt", last.atTime(10, 30).atZone(java.time.ZoneId.systemDefault()).toInstant().toString());
        assertThat(report(List.of(row(pseudonyms.get(person), product, first, 2), row(pseudonyms.get(person), product, first.plusDays(1), 2),
                latest)).getBody()).containsEntry("accepted", 3);

        var report = ledgerReports.personReport(person, new org.tilldela.directory.Viewer("dpo-usage-test", false), "test");
        assertThat(report.usage()).filteredOn(u -> u.productId().equals(product)).singleElement().satisfies(u -> {
            assertThat(u.supplierName()).startsWith("Läromedel ");
            assertThat(u.activeDays()).isEqualTo(3);
            assertThat(u.firstDay()).isEqualTo(first);
            assertThat(u.lastDay()).isEqualTo(last);
            assertThat(u.lastActiveAt()).isEqualTo(last.atTime(10, 30).atZone(java.time.ZoneId.systemDefault()).toInstant());
        });
        assertThat(ledgerReports.personReport(fixture.persons.get(4), new org.tilldela.directory.Viewer("dpo-usage-test", false), "test").usage())
                .as("another person's usage is not in this one's report").noneMatch(u -> u.productId().equals(product));

        String dpo = "usage-dpo-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(dpo, "Usage DPO", "usage-dpo-password-1", EnumSet.of(AdminRight.DATA_PROTECTION_OFFICER), "test");
        org.tilldela.WebSession.Answer page = new org.tilldela.WebSession(port).signIn(dpo, "usage-dpo-password-1").get("/ledger/persons/" + person + "?lang=en");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("Usage reported by suppliers", "<td class=\"num\">3</td>", first + " – " + last);
        try (var doc = org.apache.pdfbox.Loader.loadPDF(pdf.render(report, java.util.Locale.ENGLISH))) {
            assertThat(new org.apache.pdfbox.text.PDFTextStripper().getText(doc)).contains("Usage reported by suppliers", "active on 3 days, " + first + " to " + last);
        }
    }

    @Test
    void aReportDeclaredLargerThanTheBodyLimitIsRefusedBeforeItIsRead() throws Exception {
        // 30 MB declared, only the first bytes sent: refused on the declared length (tilldela.upload.max-size, 20 MB),
        // where without the limit the server would sit reading the rest
        try (java.net.Socket socket = new java.net.Socket("localhost", port)) {
            socket.setSoTimeout(8000);
            String auth = java.util.Base64.getEncoder().encodeToString((credentials.clientId() + ":" + credentials.secret())
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String head = "POST /api/v1/supplier/usage HTTP/1.1\r\nHost: localhost:" + port + "\r\nAuthorization: Basic " + auth
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + 30 * 1024 * 1024 + "\r\n\r\n{\"rows\": [";
            socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            byte[] status = socket.getInputStream().readNBytes(12);
            assertThat(new String(status, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 413");
        }
    }
}
