package org.tilldela.desk;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.access.AttributePackage;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.access.NewDataAccessRequest;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.GrantScope;
import org.tilldela.governance.ScopedMunicipality;

/**
 * The record of processing activities (Art. 30) on the desk: a known agreement in force appears with its supplier,
 * product, purpose, legal basis, data, sub-processor, third-country transfer without an adequacy decision, retention
 * and processing agreement, in CSV and PDF; an agreement of another organiser is not in a scoped officer's record;
 * each generated version is kept and an earlier one downloads as it was; another organiser's officer gets 404.
 */
class ProcessingRecordTest extends IntegrationTest {

    private static final String PASSWORD = "processing-record-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AdminGrants grants;
    @Autowired
    Catalog catalog;
    @Autowired
    DataAccessAgreements access;
    @Autowired
    AuditTrail audit;
    @Autowired
    JdbcClient jdbc;

    private static long newestVersion(String page) {
        Matcher m = Pattern.compile("/dpo/processing-record/(\\d+)\\.csv").matcher(page);
        assertThat(m.find()).as("a version listed").isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void theRecordListsAKnownAgreementInCsvAndPdfAndKeepsEveryVersion() throws Exception {
        ScopedMunicipality m = new ScopedMunicipality(jdbc);
        String u = m.source.substring(m.source.length() - 8);
        String root = "root-" + m.source;
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        String provbyDpo = "dpo-provby-" + m.source;
        String grannbyDpo = "dpo-grannby-" + m.source;
        accounts.create(provbyDpo, "DPO Provby", PASSWORD, Set.of(), "test");
        accounts.create(grannbyDpo, "DPO Grannby", PASSWORD, Set.of(), "test");
        grants.grant(root, provbyDpo, AdminRight.DATA_PROTECTION_OFFICER, GrantScope.units(Set.of(m.organiser), Set.of()));
        grants.grant(root, grannbyDpo, AdminRight.DATA_PROTECTION_OFFICER, GrantScope.units(Set.of(m.otherOrganiser), Set.of()));

        UUID supplier = UUID.randomUUID();
        String supplierName = "Registerförlaget " + u;
        catalog.save(new Supplier(supplier, supplierName, "55" + Math.abs(u.hashCode()), "SE", Set.of("SE"),
                List.of(new Supplier.SubProcessor("Molnbolaget " + u, "CN", "drift")),
                List.of(new Supplier.ProcessingAgreement(UUID.randomUUID(), "pub-" + u + ".pdf", LocalDate.now().minusYears(1), LocalDate.now().plusYears(1),
                        Set.of(m.organiser, m.otherOrganiser))), null));
        UUID product = UUID.randomUUID();
        catalog.save(new Product(product, "ART30-" + u, supplier, "Läsresan " + u, "", Product.Kind.DIGITAL, List.of("GR"), List.of("4"), List.of("Svenska"),
                Product.LicenceModel.PER_USER, 12, new BigDecimal("10.00"), "SEK", null, Product.AccessMethod.OPENID_CONNECT,
                EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.SCHOOL_UNIT, Attribute.GIVEN_NAME, Attribute.FAMILY_NAME, Attribute.GUARDIAN_LINKS).stream()
                        .map(a -> new Product.DataNeed(a, "inloggning", 45, Set.of("SE"))).toList()));
        UUID provby = access.file(supplier, new NewDataAccessRequest(product, m.schoolA, AttributePackage.MEDIUM, Set.of(), "Inloggning i Läsresan " + u,
                "Uppgift av allmänt intresse (art. 6.1 e)", 45), "supplier").id();
        access.approve(provby, null, null, "test");
        UUID grannby = access.file(supplier, new NewDataAccessRequest(product, m.schoolC, AttributePackage.SMALL, Set.of(), "Grannbys ändamål " + u,
                "Avtal", 10), "supplier").id();
        access.approve(grannby, null, null, "test");

        WebSession dpo = new WebSession(port).signIn(provbyDpo, PASSWORD);
        String page = dpo.page("/dpo/processing-record").body();
        assertThat(page).contains("Record of processing activities").contains("No version generated yet");
        WebSession.Answer generated = dpo.post("/dpo/processing-record", WebSession.hiddenFields(page, "/dpo/processing-record"));
        assertThat(generated.status()).isEqualTo(302);
        String after = dpo.follow(generated).body();
        assertThat(after).contains("A new version is generated with");
        long first = newestVersion(after);

        String csv = dpo.get("/dpo/processing-record/" + first + ".csv").body();
        assertThat(csv).contains("Recipient (supplier)").contains("Categories of personal data").contains("Transfers to third countries")
                .contains(supplierName).contains("Läsresan " + u + " (ART30-" + u + ")").contains("A-skolan " + u)
                .contains("Inloggning i Läsresan " + u).contains("Uppgift av allmänt intresse (art. 6.1 e)")
                .contains("Given name").contains("Guardian").contains("MEDIUM")
                .contains("sub-processor Molnbolaget " + u + " (CN; drift)").contains("CN: no adequacy decision in force")
                .contains("45 days after").contains("pub-" + u + ".pdf").contains(provby.toString())
                .contains("and their guardians");
        assertThat(csv).as("Grannby's agreement is outside Provby's officer's scope").doesNotContain("Grannbys ändamål " + u).doesNotContain(grannby.toString());

        WebSession.Answer pdfAnswer = dpo.get("/dpo/processing-record/" + first + ".pdf");
        assertThat(pdfAnswer.status()).isEqualTo(200);
        byte[] pdfBytes = jdbc.sql("select pdf from processing_record_version where id = :id").param("id", first).query(byte[].class).single();
        try (var doc = Loader.loadPDF(pdfBytes)) {
            String text = new PDFTextStripper().getText(doc);
            assertThat(text).contains("Record of processing activities").contains(supplierName).contains("Inloggning i Läsresan " + u)
                    .contains("CN: no adequacy decision in force").doesNotContain("Grannbys ändamål");
        }
        assertThat(audit.about("processing_record_version", Long.toString(first))).extracting(AuditTrail.Entry::action)
                .containsExactly("PROCESSING_RECORD_GENERATED");

        // the agreement is revoked; a new version no longer lists it, the earlier one still does
        access.revoke(provby, "Avslutat", "test");
        String again = dpo.follow(dpo.post("/dpo/processing-record", WebSession.hiddenFields(after, "/dpo/processing-record"))).body();
        long second = newestVersion(again);
        assertThat(second).isGreaterThan(first);
        assertThat(dpo.get("/dpo/processing-record/" + second + ".csv").body()).doesNotContain(provby.toString());
        assertThat(dpo.get("/dpo/processing-record/" + first + ".csv").body()).contains(provby.toString());
        assertThat(again).contains("/dpo/processing-record/" + first + ".pdf");

        // another organiser's officer neither lists nor downloads Provby's versions; the whole installation sees both
        WebSession other = new WebSession(port).signIn(grannbyDpo, PASSWORD);
        assertThat(other.page("/dpo/processing-record").body()).doesNotContain("/dpo/processing-record/" + first + ".csv");
        assertThat(other.get("/dpo/processing-record/" + first + ".csv").status()).isEqualTo(404);
        assertThat(other.get("/dpo/processing-record/" + first + ".pdf").status()).isEqualTo(404);
        assertThat(new WebSession(port).signIn(root, PASSWORD).page("/dpo/processing-record").body())
                .contains("/dpo/processing-record/" + first + ".csv").contains("/dpo/processing-record/" + second + ".csv");
    }
}
