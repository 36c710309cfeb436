package org.tilldela.purchase;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.access.AttributePackage;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.access.NewDataAccessRequest;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.ledger.Channel;
import org.tilldela.ledger.Disclosure;
import org.tilldela.ledger.DisclosureLedger;
import org.tilldela.licensing.LicencePools;
import org.tilldela.licensing.NewPool;

/**
 * Screens speak in names (issue 13): a pool's holders and a person's licences name the persons, the disclosure
 * feed names persons, and the per-person report and its PDF name the agreement by supplier, product and dates —
 * a protected person masked for an account without the right to see them, and that showing audited.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NamesNotIdsTest extends IntegrationTest {

    @LocalServerPort int port;
    @Autowired ImportRuns imports;
    @Autowired JdbcClient jdbc;
    @Autowired Catalog catalog;
    @Autowired AdminAccounts accounts;
    @Autowired LicencePools pools;
    @Autowired DataAccessAgreements agreements;
    @Autowired DisclosureLedger ledger;
    @Autowired TransactionTemplate tx;

    PurchaseFixture fx;
    String licenceAdmin;
    String dpo;
    UUID supplier;
    UUID product;
    UUID poolId;
    UUID pupil;
    UUID protectedPupil;

    @BeforeAll
    void setUp() throws Exception {
        fx = new PurchaseFixture(imports, jdbc, catalog);
        licenceAdmin = "names-licences-" + fx.tag;
        dpo = "names-dpo-" + fx.tag;
        accounts.create(licenceAdmin, "Licensadministratör", PurchaseFixture.PASSWORD, EnumSet.of(AdminRight.LICENCE_ADMIN), "test");
        accounts.create(dpo, "Dataskyddsombud", PurchaseFixture.PASSWORD, EnumSet.of(AdminRight.DATA_PROTECTION_OFFICER), "test");
        supplier = fx.supplier("Namnförlaget", true, List.of());
        product = fx.product(supplier, "Namnboken", Product.Kind.DIGITAL, PurchaseFixture.SMALL, null);
        poolId = pools.create(new NewPool(product, fx.organiserId, fx.schoolId, 30, LocalDate.now().minusDays(1), LocalDate.now().plusYears(1), false,
                null, "test"));
        pools.assignGroup(poolId, fx.group("c-7a"), "test");
        pupil = fx.person("p2");
        protectedPupil = fx.person("p1");
    }

    private String name(String sourceId) {
        Municipality.User u = fx.municipality.user(sourceId);
        return u.familyName() + ", " + u.givenName();
    }

    private long protectedViewsIn(String context) {
        return jdbc.sql("select count(*) from audit_event where action = 'VIEW_PROTECTED_PERSON' and target_id = :p and detail->>'in' = :in")
                .param("p", protectedPupil.toString()).param("in", context).query(Long.class).single();
    }

    @Test
    void aPoolsHoldersAndAPersonsLicencesAreNamedAndAProtectedPupilIsMaskedAndAudited() {
        WebSession web = new WebSession(port).signIn(licenceAdmin, PurchaseFixture.PASSWORD);
        long before = protectedViewsIn("pool");
        String page = web.get("/licences/pools/" + poolId).body();
        assertThat(page).contains(htmlEscaped(name("p2")), htmlEscaped(name("p3")), htmlEscaped(name("p4")), "Protected person");
        // the protected pupil's name is nowhere, and no person is shown by id
        Municipality.User hidden = fx.municipality.user("p1");
        assertThat(page).doesNotContain(htmlEscaped(hidden.familyName() + ", " + hidden.givenName()));
        assertThat(page).doesNotContain(">" + pupil + "<").doesNotContain(">" + protectedPupil + "<");
        assertThat(page).contains("href=\"/licences/persons/" + pupil + "\"");
        assertThat(protectedViewsIn("pool")).isEqualTo(before + 1);

        Municipality.User u = fx.municipality.user("p2");
        String person = web.get("/licences/persons/" + pupil + "?lang=sv").body();
        assertThat(person).contains(htmlEscaped(u.givenName() + " " + u.familyName()), "Namnboken " + fx.tag);
        assertThat(web.get("/licences/persons/" + protectedPupil + "?lang=sv").body()).contains("Skyddad person")
                .doesNotContain(htmlEscaped(hidden.givenName() + " " + hidden.familyName()));
    }

    @Test
    void theFeedNamesPersonsAndTheReportAndItsPdfNameTheAgreement() throws Exception {
        var agreement = agreements.file(supplier, new NewDataAccessRequest(product, fx.schoolId, AttributePackage.SMALL, Set.of(),
                "Inloggning", "GDPR art. 6.1 e", 30), "test");
        agreements.approve(agreement.id(), Set.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME), "behövs", "test");
        Set<Attribute> released = EnumSet.of(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME);
        tx.executeWithoutResult(s -> ledger.append(List.of(
                new Disclosure(pupil, supplier, product, Channel.SCIM_PUSH, released, agreement.id(), "GDPR art. 6.1 e", "Inloggning", Instant.now(), 30, null),
                new Disclosure(protectedPupil, supplier, product, Channel.SCIM_PUSH, released, agreement.id(), "GDPR art. 6.1 e", "Inloggning",
                        Instant.now(), 30, null))));

        WebSession web = new WebSession(port).signIn(dpo, PurchaseFixture.PASSWORD);
        long before = protectedViewsIn("ledger-feed");
        String feed = web.get("/ledger/feed?supplier=" + supplier).body();
        assertThat(feed).contains(htmlEscaped(name("p2")), "Protected person", "href=\"/ledger/persons/" + pupil + "\"");
        assertThat(feed).doesNotContain(">" + pupil.toString().substring(0, 8) + "<");
        assertThat(protectedViewsIn("ledger-feed")).isEqualTo(before + 1);

        String today = LocalDate.now().toString();
        String report = web.get("/ledger/persons/" + pupil).body();
        assertThat(report).contains(htmlEscaped("Agreement with Namnförlaget " + fx.tag + " for Namnboken " + fx.tag + ", in force from " + today));
        assertThat(report).doesNotContain("Agreement " + agreement.id());

        String pdf = pdfText("/api/v1/ledger/persons/" + pupil + "/report.pdf?lang=en");
        assertThat(pdf.replaceAll("\\s+", " ")).contains("Agreement with Namnförlaget " + fx.tag + " for Namnboken " + fx.tag + ", in force from " + today)
                .doesNotContain(agreement.id().toString());
    }

    private static String htmlEscaped(String s) {
        return s.replace("&", "&amp;").replace("'", "&#39;");
    }

    /** The PDF as its text, fetched as the data protection officer (HTTP Basic, English). */
    private String pdfText(String path) throws IOException {
        byte[] body = RestClient.builder().baseUrl("http://localhost:" + port).defaultHeaders(h -> {
            h.setBasicAuth(dpo, PurchaseFixture.PASSWORD);
            h.set("Accept-Language", "en");
        }).build().get().uri(path).retrieve().body(byte[].class);
        try (var doc = Loader.loadPDF(body)) {
            return new PDFTextStripper().getText(doc);
        }
    }
}
