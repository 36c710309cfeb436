package org.tilldela.catalog.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.tilldela.IntegrationTest;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogFixtures;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AuditTrail;

/**
 * Supplier feeds: a good feed is applied whole (CSV and JSON); a feed with any bad row is refused with
 * the line (CSV) or index (JSON) and reason of every problem, and none of its good rows is applied.
 */
class CatalogFeedTest extends IntegrationTest {

    private static final String HEADER = String.join(",", CatalogFeeds.csvColumns()) + "\n";

    @Autowired
    CatalogFeeds feeds;
    @Autowired
    Catalog catalog;
    @Autowired
    AuditTrail audit;

    private Supplier supplier;
    private String a;
    private String b;

    @BeforeEach
    void supplier() {
        supplier = CatalogFixtures.supplier("Flödesförlaget " + CatalogFixtures.unique(), "SE");
        catalog.save(supplier);
        a = "A-" + CatalogFixtures.unique();
        b = "B-" + CatalogFixtures.unique();
    }

    private String good(String article) {
        return supplier.organisationNumber() + "," + article + ",Matematik 7 Digital,\"Bråk, procent\",DIGITAL,GR,07;08,Matematik,PER_USER,12,199.00,SEK,30,"
                + "OPENID_CONNECT,PSEUDONYMOUS_ID:30:SE:Inloggning|GIVEN_NAME:30:SE DK:Visa namnet för läraren\n";
    }

    private FeedResult csv(String content) {
        return feeds.apply(content.getBytes(StandardCharsets.UTF_8), CatalogFeeds.Format.CSV, "feed.csv", "feed-test");
    }

    private List<FeedProblem> refusedCsv(String content) {
        try {
            csv(content);
        } catch (FeedRejectedException e) {
            return e.problems();
        }
        throw new AssertionError("the feed was applied");
    }

    private void nothingApplied() {
        assertThat(catalog.productByArticleNumber(a)).isEmpty();
        assertThat(catalog.productByArticleNumber(b)).isEmpty();
    }

    @Test
    void aGoodCsvFeedCreatesThenUpdatesProductsWithTheirDeclarations() {
        String printed = supplier.organisationNumber() + "," + b + ",Läsebok 3,,PRINTED_BOUND,GR,03,Svenska,PER_USER,,349,SEK,,NONE,\n";
        FeedResult result = csv(HEADER + good(a) + printed);
        assertThat(result.created()).isEqualTo(2);
        Product p = catalog.productByArticleNumber(a).orElseThrow();
        assertThat(p.supplierId()).isEqualTo(supplier.id());
        assertThat(p.description()).isEqualTo("Bråk, procent");
        assertThat(p.grades()).containsExactly("07", "08");
        assertThat(p.trialDays()).isEqualTo(30);
        assertThat(p.declaredAttributes()).containsExactlyInAnyOrder(Attribute.PSEUDONYMOUS_ID, Attribute.GIVEN_NAME);
        assertThat(p.need(Attribute.GIVEN_NAME).orElseThrow().processingCountries()).containsExactlyInAnyOrder("SE", "DK");
        Product book = catalog.productByArticleNumber(b).orElseThrow();
        assertThat(book.dataNeeds()).isEmpty();
        assertThat(book.licencePeriodMonths()).isEqualTo(12);

        FeedResult again = csv(HEADER + good(a).replace("Matematik 7 Digital", "\"Matematik 7 Digital, ny upplaga\""));
        assertThat(again.updated()).isEqualTo(1);
        assertThat(catalog.productByArticleNumber(a).orElseThrow().id()).isEqualTo(p.id());
        assertThat(catalog.productByArticleNumber(a).orElseThrow().title()).isEqualTo("Matematik 7 Digital, ny upplaga");
        assertThat(audit.about("catalog-feed", "feed.csv")).anySatisfy(e -> assertThat(e.actor()).isEqualTo("feed-test"));
    }

    @Test
    void aGoodJsonFeedIsApplied() {
        String json = """
                {"products": [
                  {"supplierOrganisationNumber": "%s", "articleNumber": "%s", "title": "Engelska 9", "kind": "DIGITAL",
                   "schoolForms": ["GR"], "grades": ["09"], "subjects": ["Engelska"], "licenceModel": "PER_SCHOOL_UNIT",
                   "licencePeriodMonths": 12, "price": 12000, "currency": "SEK", "accessMethod": "SCIM",
                   "dataNeeds": [{"attribute": "EMAIL", "purpose": "Skicka inloggning", "retentionDays": 0, "processingCountries": ["SE"]}]}
                ]}
                """.formatted(supplier.organisationNumber(), a);
        FeedResult result = feeds.apply(json.getBytes(StandardCharsets.UTF_8), CatalogFeeds.Format.JSON, "feed.json", "feed-test");
        assertThat(result.created()).isEqualTo(1);
        Product p = catalog.productByArticleNumber(a).orElseThrow();
        assertThat(p.licenceModel()).isEqualTo(Product.LicenceModel.PER_SCHOOL_UNIT);
        assertThat(p.price()).isEqualByComparingTo("12000");
        assertThat(p.need(Attribute.EMAIL).orElseThrow().retentionDays()).isZero();
    }

    @Test
    void eachBadRowIsReportedWithLineAndReasonAndNothingIsApplied() {
        String org = supplier.organisationNumber();
        String feed = HEADER
                + good(a)                                                                                              // line 2: fine
                + "9999999999,X-" + a + ",T,,DIGITAL,GR,07,M,PER_USER,12,10,SEK,,OPENID_CONNECT,\n"                     // 3: unknown supplier
                + org + ",C-" + a + ",T,,EBOOK,GR,07,M,PER_USER,12,10,SEK,,NONE,\n"                                    // 4: unknown kind
                + org + ",D-" + a + ",T,,DIGITAL,GR,07,M,PER_USER,12,tio,SEK,,OPENID_CONNECT,\n"                        // 5: bad price
                + good(a)                                                                                              // 6: duplicate article
                + org + ",E-" + a + ",T,,DIGITAL,GR,07,M,PER_USER,12,10,SEK,,OPENID_CONNECT,GIVEN_NAME-30-SE\n"         // 7: need format
                + org + ",F-" + a + ",T,,DIGITAL,GR,07,M,PER_USER,12,10,SEK,,OPENID_CONNECT,SHOE_SIZE:30:SE:Skor\n"     // 8: unknown attribute
                + org + ",G-" + a + ",T,,DIGITAL,GR,07,M,PER_USER,12,10,SEK,,NONE,GIVEN_NAME:30:SE:Namn\n"               // 9: data without access
                + org + ",H-" + a + ",,,DIGITAL,GR,07,M,PER_USER,12,10,SEK,,OPENID_CONNECT,GIVEN_NAME:30:Sverige:Namn\n" // 10: no title, bad country
                + org + "," + b + ",T,,DIGITAL\n"                                                                      // 11: too few values
                + org + ",I-" + a + ",T,,DIGITAL,GR,07,M,PER_USER,12,10,SEK,-5,OPENID_CONNECT,\n";                      // 12: trial out of range
        List<FeedProblem> problems = refusedCsv(feed);
        assertThat(problems).extracting(FeedProblem::line, FeedProblem::field, FeedProblem::code).containsExactly(
                tuple(3, "supplier", "unknownSupplier"),
                tuple(4, "kind", "unknownValue"),
                tuple(5, "price", "price"),
                tuple(6, "articleNumber", "duplicateArticleLine"),
                tuple(7, "data_needs", "needFormat"),
                tuple(8, "dataNeeds[0].attribute", "unknownValue"),
                tuple(9, "accessMethod", "accessNoneWithData"),
                tuple(10, "title", "required"),
                tuple(10, "dataNeeds.GIVEN_NAME.processingCountries", "country"),
                tuple(11, null, "columnCount"),
                tuple(12, "trialDays", "range"));
        assertThat(problems.get(0).reason()).isEqualTo("No supplier with organisation number 9999999999 in the catalogue.");
        assertThat(problems.get(3).reason()).contains("line 2");
        nothingApplied();
        assertThat(catalog.productByArticleNumber("X-" + a)).isEmpty();
    }

    @Test
    void aMissingColumnOrAnotherSuppliersArticleRefusesTheFeed() {
        List<FeedProblem> missing = refusedCsv("supplier_organisation_number,article_number,title,kind,licence_model,price\n"
                + supplier.organisationNumber() + "," + a + ",T,DIGITAL,PER_USER,10\n");
        assertThat(missing).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(1);
            assertThat(p.code()).isEqualTo("missingColumn");
            assertThat(p.field()).isEqualTo("access_method");
        });

        Supplier other = CatalogFixtures.supplier("Annat förlag " + CatalogFixtures.unique(), "SE");
        catalog.save(other);
        Product theirs = CatalogFixtures.digital(other, "Deras bok", "", List.of());
        catalog.save(theirs);
        List<FeedProblem> taken = refusedCsv(HEADER + good(a) + good(theirs.articleNumber()));
        assertThat(taken).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(3);
            assertThat(p.code()).isEqualTo("otherSupplier");
        });
        nothingApplied();
        assertThat(catalog.product(theirs.id()).orElseThrow().supplierId()).isEqualTo(other.id());
    }

    @Test
    void aFileThatIsNotUtf8IsRefused() {
        byte[] latin1 = (HEADER + good(a)).replace("Bråk", "Br\u00e5k").getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> feeds.apply(latin1, CatalogFeeds.Format.CSV, "latin1.csv", "feed-test"))
                .isInstanceOfSatisfying(FeedRejectedException.class,
                        e -> assertThat(e.problems()).extracting(FeedProblem::code).containsExactly("encoding"));
        nothingApplied();
    }

    @Test
    void badJsonProductsAreReportedByIndex() {
        String json = """
                {"products": [
                  {"supplierOrganisationNumber": "%s", "articleNumber": "%s", "title": "Bra", "kind": "DIGITAL", "licenceModel": "PER_USER",
                   "price": "99.50", "accessMethod": "OPENID_CONNECT"},
                  {"supplierOrganisationNumber": "%s", "articleNumber": "%s", "title": "Dålig", "kind": "DIGITAL", "licenceModel": "PER_USER",
                   "price": 10, "accessMethod": "OPENID_CONNECT", "colour": "blue",
                   "dataNeeds": [{"attribute": "GIVEN_NAME", "purpose": "", "retentionDays": 30, "processingCountries": ["SE"]}]},
                  "not an object"
                ]}
                """.formatted(supplier.organisationNumber(), a, supplier.organisationNumber(), b);
        assertThatThrownBy(() -> feeds.apply(json.getBytes(StandardCharsets.UTF_8), CatalogFeeds.Format.JSON, "bad.json", "feed-test"))
                .isInstanceOfSatisfying(FeedRejectedException.class, e -> assertThat(e.problems())
                        .extracting(FeedProblem::index, FeedProblem::field, FeedProblem::code).containsExactly(
                                tuple(1, "colour", "unknownField"),
                                tuple(1, "dataNeeds.GIVEN_NAME.purpose", "required"),
                                tuple(2, null, "jsonType")));
        nothingApplied();

        assertThatThrownBy(() -> feeds.apply("{\"products\": [".getBytes(StandardCharsets.UTF_8), CatalogFeeds.Format.JSON, "cut.json", "feed-test"))
                .isInstanceOfSatisfying(FeedRejectedException.class,
                        e -> assertThat(e.problems()).extracting(FeedProblem::code).containsExactly("jsonSyntax"));
    }

    @Test
    void supplierSetsAreUntouchedByFeeds() {
        csv(HEADER + good(a));
        assertThat(catalog.supplier(supplier.id()).orElseThrow().processingCountries()).isEqualTo(Set.of("SE"));
    }
}
