package org.tilldela.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.access.AccessFixture;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.Viewer;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.ledger.LedgerReports;
import org.tilldela.ledger.PersonReportPdf;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.NewPool;

/**
 * The per-person report shows, per recipient, when the person's account there was deactivated — after a real push to
 * and deactivation at UnboundID's SCIM server — on the page, in the PDF (sv, da, en) and in the JSON; a later push
 * that changes nothing does not move the date, and an account made active again has none.
 */
class DeactivationReportTest extends IntegrationTest {

    private static final String PASSWORD = "deactivation-report-password";

    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired LicencePools pools;
    @Autowired Connectors connectors;
    @Autowired LedgerReports reports;
    @Autowired PersonReportPdf pdf;
    @Autowired AdminAccounts accounts;

    @Test
    void theReportSaysWhenTheAccountAtTheRecipientWasDeactivated() throws Exception {
        AccessFixture fx = new AccessFixture(imports, jdbc, catalog, pools);
        UUID leaving = fx.persons.get(2);
        UUID staying = fx.persons.get(3);
        try (ScimTestServer supplier = new ScimTestServer("token-" + UUID.randomUUID(), true)) {
            UUID product = fx.product(fx.supplierId, EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.ROLES));
            UUID connector = connectors.create(new Connector.Settings(fx.supplierId, "Avaktivering", supplier.baseUrl(), Connector.Auth.BEARER,
                    supplier.token, null, null, null, null, List.of(product), true, 100.0), "test").id(); // no brake here: DeletionBrakeTest
            UUID pool = pools.create(new NewPool(product, fx.organiserId, fx.organiserId, 100, LocalDate.now().minusDays(1), LocalDate.now().plusYears(1),
                    false, null, "test"));
            pools.assignDirect(pool, List.of(leaving, staying), "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> supplier.users.store.size() == 2 && accountState(connector, leaving) == Boolean.TRUE);
            assertThat(recipient(leaving, product).accountDeactivatedAt()).as("active: no deactivation").isNull();

            Instant before = Instant.now().minusSeconds(1);
            pools.withdrawDirect(pool, leaving, "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> accountState(connector, leaving) == Boolean.FALSE);
            Instant after = Instant.now().plusSeconds(1);

            Instant deactivated = recipient(leaving, product).accountDeactivatedAt();
            assertThat(deactivated).isBetween(before, after);
            assertThat(recipient(staying, product).accountDeactivatedAt()).as("the one still licensed").isNull();

            // a later write that leaves it inactive (a push that changes nothing) does not move the date
            Thread.sleep(20);
            jdbc.sql("update provisioned_account set active = false, updated_at = now() where connector_id = :c and person_id = :p")
                    .param("c", connector).param("p", leaving).update();
            assertThat(recipient(leaving, product).accountDeactivatedAt()).isEqualTo(deactivated);

            String day = LocalDate.ofInstant(deactivated, ZoneId.systemDefault()).toString();
            LedgerReports.PersonReport report = reports.personReport(leaving, new Viewer("dpo-test", false), "test");
            String dpo = "deactivation-dpo-" + UUID.randomUUID().toString().substring(0, 8);
            accounts.create(dpo, "Dataskyddsombud", PASSWORD, EnumSet.of(AdminRight.DATA_PROTECTION_OFFICER), "test");
            WebSession session = new WebSession(Integer.parseInt(baseUrl().substring(baseUrl().lastIndexOf(':') + 1))).signIn(dpo, PASSWORD);
            for (Locale lang : List.of(Locale.ENGLISH, Locale.forLanguageTag("sv"), Locale.forLanguageTag("da"))) {
                String expected = switch (lang.getLanguage()) {
                    case "sv" -> "Kontot avaktiverat " + day;
                    case "da" -> "Kontoen deaktiveret " + day;
                    default -> "Account deactivated on " + day;
                };
                String text;
                try (var doc = Loader.loadPDF(pdf.render(report, lang))) {
                    text = new PDFTextStripper().getText(doc).replaceAll("\\s+", " ");
                }
                assertThat(text).as("PDF " + lang).contains(expected);
                WebSession.Answer page = session.get("/ledger/persons/" + leaving + "?lang=" + lang.getLanguage());
                assertThat(page.status()).isEqualTo(200);
                assertThat(page.body()).as("page " + lang).contains(expected);
            }
            assertThat(session.get("/ledger/persons/" + leaving + "/report.json").body()).contains("\"accountDeactivatedAt\":\"");

            // active again (a new licence): no deactivation to show
            pools.assignDirect(pool, List.of(leaving), "test");
            await().atMost(Duration.ofSeconds(20)).until(() -> accountState(connector, leaving) == Boolean.TRUE);
            assertThat(recipient(leaving, product).accountDeactivatedAt()).isNull();
        }
    }

    private LedgerReports.Recipient recipient(UUID person, UUID product) {
        return reports.personReport(person, new Viewer("dpo-test", false), "test").recipients().stream()
                .filter(r -> r.productId().equals(product)).findFirst().orElseThrow();
    }

    private Boolean accountState(UUID connector, UUID person) {
        return jdbc.sql("select active from provisioned_account where connector_id = :c and person_id = :p").param("c", connector).param("p", person)
                .query(Boolean.class).optional().orElse(null);
    }
}
