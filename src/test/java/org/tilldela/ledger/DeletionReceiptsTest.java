package org.tilldela.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;
import org.tilldela.catalog.Attribute;
import org.tilldela.directory.Viewer;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;

/**
 * Deletion receipts: each deletion request keeps when and how it was sent, every answer of the supplier
 * and when it confirmed; the data protection officer sees overdue confirmations (page, JSON, CSV) and the
 * per-person report says "deleted, confirmed on …" or "deletion requested on …, not confirmed".
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeletionReceiptsTest extends LedgerTestSupport {

    private static final String PASSWORD = "deletion-receipts-password";

    @LocalServerPort
    int port;
    @Autowired
    Retention retention;
    @Autowired
    LedgerReports reports;
    @Autowired
    PersonReportPdf pdf;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AuditTrail audit;

    private String dpo;
    private String buyer;

    @BeforeAll
    void accounts() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        dpo = "dpo-del-" + tag;
        buyer = "buyer-del-" + tag;
        accounts.create(dpo, "Dataskyddsombud", PASSWORD, EnumSet.of(AdminRight.DATA_PROTECTION_OFFICER), "test");
        accounts.create(buyer, "Inköpare", PASSWORD, EnumSet.of(AdminRight.BUYER, AdminRight.DIRECTORY_ADMIN), "test");
    }

    /** A holding whose retention (90 days) ran out {@code daysOverdue} days ago. */
    private UUID[] overdueHolding(int daysOverdue) {
        UUID person = UUID.randomUUID();
        UUID supplier = UUID.randomUUID();
        UUID product = UUID.randomUUID();
        append(List.of(disclosure(person, supplier, product, Channel.SCIM_PUSH, SMALL)));
        retention.relationEnded(person, product, today().minusDays(90 + daysOverdue));
        return new UUID[] {person, supplier, product};
    }

    private Holding holding(UUID[] k) {
        return jdbc.sql(LedgerReports.HOLDING + " where person_id = :p and supplier_id = :s and product_id = :pr").param("p", k[0]).param("s", k[1])
                .param("pr", k[2]).query((rs, n) -> LedgerReports.holding(rs, today())).single();
    }

    private Instant at(int minutesAgo) {
        return Instant.now().minus(minutesAgo, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MICROS);
    }

    @Test
    void aScimDeleteAnsweredWith500ThenConfirmedBy204KeepsBothAnswersAndTheFirstSending() {
        UUID[] k = overdueHolding(5);
        assertThat(retention.deletionsDue(today())).anyMatch(d -> d.personId().equals(k[0]));
        Instant sent = at(30);
        Instant failed = at(29);
        Instant deleted = at(10);

        assertThat(retention.deletionRequested(k[0], k[1], k[2], sent)).isTrue();
        assertThat(retention.deletionAnswered(k[0], k[1], k[2], failed, 500, "Internal Server Error", false)).isTrue();
        assertThat(retention.deletionRequested(k[0], k[1], k[2], at(20))).as("a retry is no new request").isTrue();

        assertThat(retention.deletionReceipt(k[0], k[1], k[2])).get().satisfies(r -> {
            assertThat(r.channel()).isEqualTo(DeletionChannel.SCIM);
            assertThat(r.sentAt()).isEqualTo(sent);
            assertThat(r.answeredAt()).isEqualTo(failed);
            assertThat(r.answerStatus()).isEqualTo(500);
            assertThat(r.answer()).isEqualTo("Internal Server Error");
            assertThat(r.confirmed()).isFalse();
        });
        assertThat(holding(k).deletionState()).isEqualTo(DeletionState.REQUESTED);
        assertThat(retention.overdueDeletions(today(), 100_000)).filteredOn(d -> d.personId().equals(k[0])).singleElement().satisfies(d -> {
            assertThat(d.state()).isEqualTo(DeletionState.REQUESTED);
            assertThat(d.daysOverdue()).isEqualTo(5);
            assertThat(d.receipt().answerStatus()).isEqualTo(500);
            assertThat(d.attributes()).contains("PSEUDONYMOUS_ID", "GIVEN_NAME");
        });

        assertThat(retention.deletionAnswered(k[0], k[1], k[2], deleted, 204, "No Content", true)).isTrue();
        assertThat(retention.deletionReceipt(k[0], k[1], k[2])).get().satisfies(r -> {
            assertThat(r.sentAt()).isEqualTo(sent);
            assertThat(r.confirmedAt()).isEqualTo(deleted);
            assertThat(r.answerStatus()).isEqualTo(204);
        });
        assertThat(holding(k).deletionState()).isEqualTo(DeletionState.CONFIRMED);
        assertThat(holding(k).deletionConfirmedAt()).isEqualTo(deleted);
        assertThat(retention.overdueDeletions(today(), 100_000)).noneMatch(d -> d.personId().equals(k[0]));
        assertThat(jdbc.sql("""
                        select a.answer_status from deletion_answer a join deletion_request r on r.id = a.request_id
                        where r.person_id = :p order by a.answered_at""").param("p", k[0]).query(Integer.class).list())
                .containsExactly(500, 204);

        // a late answer changes nothing
        assertThat(retention.deletionAnswered(k[0], k[1], k[2], at(1), 404, "Not Found", true)).isFalse();
        assertThat(retention.deletionReceipt(k[0], k[1], k[2])).get().extracting(DeletionReceipt::confirmedAt).isEqualTo(deleted);

        // released again: the relation is live, the receipt is history (kept, no longer current)
        append(List.of(disclosure(k[0], k[1], k[2], Channel.SSO_ID_TOKEN, SMALL)));
        assertThat(holding(k).deletionState()).isEqualTo(DeletionState.HELD);
        assertThat(retention.deletionReceipt(k[0], k[1], k[2])).isEmpty();
        assertThat(jdbc.sql("select count(*) from deletion_request where person_id = :p").param("p", k[0]).query(Long.class).single()).isEqualTo(1);
    }

    @Test
    void anAnswerWithoutARecordedRequestOpensOneAndIsKeptShortAndOnOneLine() {
        UUID[] k = overdueHolding(1);
        String longAnswer = "Service Unavailable\r\n" + "x".repeat(400);
        Instant answered = at(3);
        assertThat(retention.deletionAnswered(k[0], k[1], k[2], answered, 503, longAnswer, false)).isTrue();
        assertThat(retention.deletionReceipt(k[0], k[1], k[2])).get().satisfies(r -> {
            assertThat(r.sentAt()).as("the request evidently went out when it was answered").isEqualTo(answered);
            assertThat(r.channel()).isEqualTo(DeletionChannel.SCIM);
            assertThat(r.answer()).hasSize(200).startsWith("Service Unavailable xxx").doesNotContain("\n", "\r");
        });
        assertThat(holding(k).deletionState()).isEqualTo(DeletionState.REQUESTED);
        assertThat(retention.deletionAnswered(UUID.randomUUID(), k[1], k[2], at(1), 204, "No Content", true)).as("no such holding").isFalse();
    }

    @Test
    void deletionAnswersAreAppendOnly() throws Exception {
        UUID[] k = overdueHolding(2);
        retention.deletionAnswered(k[0], k[1], k[2], at(2), 500, "Internal Server Error", false);
        UUID request = retention.deletionReceipt(k[0], k[1], k[2]).orElseThrow().requestId();
        // the application's role may only read and add answers
        assertThatThrownBy(() -> jdbc.sql("update deletion_answer set confirmed = true where request_id = :r").param("r", request).update())
                .rootCause().hasMessageContaining("permission denied");
        assertThatThrownBy(() -> jdbc.sql("delete from deletion_answer where request_id = :r").param("r", request).update())
                .rootCause().hasMessageContaining("permission denied");
        // and a trigger refuses even the owner
        try (var owner = superuser(); var st = owner.prepareStatement("update deletion_answer set confirmed = true where request_id = ?")) {
            st.setObject(1, request);
            assertThatThrownBy(st::executeUpdate).hasMessageContaining("deletion answers are append-only");
        }
        assertThat(jdbc.sql("select confirmed from deletion_answer where request_id = :r").param("r", request).query(Boolean.class).single()).isFalse();
    }

    @Test
    void thePerPersonReportSaysDeletedConfirmedOnOrRequestedNotConfirmed() throws Exception {
        UUID person = UUID.randomUUID();
        UUID supplier = UUID.randomUUID();
        UUID confirmedProduct = UUID.randomUUID();
        UUID requestedProduct = UUID.randomUUID();
        append(List.of(disclosure(person, supplier, confirmedProduct, Channel.SCIM_PUSH, SMALL),
                disclosure(person, supplier, requestedProduct, Channel.ROSTER_PULL, EnumSet.of(Attribute.PSEUDONYMOUS_ID))));
        retention.relationEnded(person, null, today().minusDays(200));
        Instant requested = Instant.parse("2026-03-02T09:00:00Z");
        Instant confirmed = Instant.parse("2026-03-04T10:00:00Z");
        retention.deletionRequested(person, supplier, confirmedProduct, requested);
        retention.deletionAnswered(person, supplier, confirmedProduct, confirmed, 204, "No Content", true);
        retention.deletionRequested(person, supplier, requestedProduct, DeletionChannel.SUPPLIER_API, requested);

        LedgerReports.PersonReport report = reports.personReport(person, new Viewer(dpo, false), "test");
        assertThat(report.recipients()).filteredOn(r -> r.productId().equals(confirmedProduct)).singleElement().satisfies(r -> {
            assertThat(r.deletionState()).isEqualTo(DeletionState.CONFIRMED);
            assertThat(r.deletion().confirmedAt()).isEqualTo(confirmed);
        });
        assertThat(report.recipients()).filteredOn(r -> r.productId().equals(requestedProduct)).singleElement().satisfies(r -> {
            assertThat(r.deletionState()).isEqualTo(DeletionState.REQUESTED);
            assertThat(r.deletion().channel()).isEqualTo(DeletionChannel.SUPPLIER_API);
            assertThat(r.deletion().confirmedAt()).isNull();
        });

        String confirmedOn = java.time.LocalDate.ofInstant(confirmed, java.time.ZoneId.systemDefault()).toString();
        String requestedOn = java.time.LocalDate.ofInstant(requested, java.time.ZoneId.systemDefault()).toString();
        for (var lang : List.of(Locale.ENGLISH, Locale.forLanguageTag("sv"), Locale.forLanguageTag("da"))) {
            String text;
            try (var doc = Loader.loadPDF(pdf.render(report, lang))) {
                text = new PDFTextStripper().getText(doc).replaceAll("\\s+", " ");
            }
            String expectedConfirmed = switch (lang.getLanguage()) {
                case "sv" -> "Raderad, bekräftad " + confirmedOn;
                case "da" -> "Slettet, bekræftet " + confirmedOn;
                default -> "Deleted, confirmed on " + confirmedOn;
            };
            String expectedRequested = switch (lang.getLanguage()) {
                case "sv" -> "Radering begärd " + requestedOn + ", inte bekräftad";
                case "da" -> "Sletning anmodet " + requestedOn + ", ikke bekræftet";
                default -> "Deletion requested on " + requestedOn + ", not confirmed";
            };
            assertThat(text).contains(expectedConfirmed, expectedRequested);
        }

        // the JSON report carries the receipts too
        String json = client(dpo).get().uri("/api/v1/ledger/persons/{id}", person).retrieve().body(String.class);
        assertThat(json).contains("\"deletion\"").contains("\"channel\":\"SUPPLIER_API\"").contains("\"confirmedAt\":\"" + confirmed + "\"");
    }

    @Test
    void theOverdueListAndItsCsvExportShowTheReceiptsAndOnlyTheDataProtectionOfficerGetsThem() throws Exception {
        UUID[] unsent = overdueHolding(400);
        UUID[] failing = overdueHolding(399);
        Instant failingSent = at(60);
        retention.deletionRequested(failing[0], failing[1], failing[2], failingSent);
        // a supplier's answer that would be a formula in a spreadsheet stays text
        retention.deletionAnswered(failing[0], failing[1], failing[2], at(59), 400, "=HYPERLINK(\"http://example.org\")", false);
        UUID[] done = overdueHolding(398);
        retention.deletionAnswered(done[0], done[1], done[2], at(5), 204, "No Content", true);

        ResponseEntity<String> csv = client(dpo).get().uri("/api/v1/ledger/deletions/overdue.csv").retrieve().toEntity(String.class);
        assertThat(csv.getStatusCode().value()).isEqualTo(200);
        assertThat(csv.getHeaders().getContentType().toString()).startsWith("text/csv");
        assertThat(csv.getHeaders().getContentDisposition().getFilename()).isEqualTo("overdue-deletions-" + today() + ".csv");
        List<CSVRecord> rows = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(new StringReader(csv.getBody())).getRecords();
        assertThat(rows).filteredOn(r -> r.get("person_id").equals(unsent[0].toString())).singleElement().satisfies(r -> {
            assertThat(r.get("state")).isEqualTo("DUE");
            assertThat(r.get("days_overdue")).isEqualTo("400");
            assertThat(r.get("sent_at")).isEmpty();
            assertThat(r.get("supplier")).isEqualTo(unsent[1].toString()); // not in the catalogue: shown as its id
        });
        assertThat(rows).filteredOn(r -> r.get("person_id").equals(failing[0].toString())).singleElement().satisfies(r -> {
            assertThat(r.get("state")).isEqualTo("REQUESTED");
            assertThat(r.get("channel")).isEqualTo("SCIM");
            assertThat(Instant.parse(r.get("sent_at"))).isEqualTo(failingSent);
            assertThat(r.get("answer_status")).isEqualTo("400");
            assertThat(r.get("answer")).isEqualTo("'=HYPERLINK(\"http://example.org\")");
        });
        assertThat(rows).noneMatch(r -> r.get("person_id").equals(done[0].toString()));
        assertThat(audit.about("ledger", "deletions")).anySatisfy(e -> {
            assertThat(e.actor()).isEqualTo(dpo);
            assertThat(e.action()).isEqualTo("EXPORT_OVERDUE_DELETIONS");
        });

        // the overdue list as JSON carries the same receipts
        String json = client(dpo).get().uri("/api/v1/ledger/deletions/overdue").retrieve().body(String.class);
        assertThat(json).contains("\"receipt\"").contains("\"answerStatus\":400").contains(failing[0].toString());

        // another right is not enough
        assertThat(client(buyer).get().uri("/api/v1/ledger/deletions/overdue.csv").retrieve().toEntity(String.class).getStatusCode().value())
                .isEqualTo(403);
    }

    private RestClient client(String user) {
        return RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> h.setBasicAuth(user, PASSWORD))
                .defaultStatusHandler(HttpStatusCode::isError, (req, res) -> { }).build();
    }

    static LocalDate today() {
        return LocalDate.now();
    }
}
