package org.tilldela.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.tilldela.IntegrationTest;
import org.tilldela.catalog.feed.CatalogEditor;
import org.tilldela.catalog.feed.ProductDraft;
import org.tilldela.catalog.feed.SupplierDraft;
import org.tilldela.governance.AuditTrail;

/** The product and supplier forms' rules: every problem by field, nothing half-saved, every save audited; agreements with their document. */
class CatalogEditorTest extends IntegrationTest {

    @Autowired
    CatalogEditor editor;
    @Autowired
    Catalog catalog;
    @Autowired
    AuditTrail audit;

    private static ProductDraft draft(String orgNumber, String article, String kind, String access, List<ProductDraft.NeedDraft> needs) {
        return new ProductDraft(orgNumber, article, "Fysik 8", "Krafter och energi.", kind, List.of("GR"), List.of("08"), List.of("Fysik"),
                "PER_USER", "12", "249,50", "SEK", "", access, needs);
    }

    @Test
    void aValidProductIsSavedWithItsDeclarationAndAudited() {
        Supplier s = CatalogFixtures.supplier("Formförlaget " + CatalogFixtures.unique(), "SE");
        catalog.save(s);
        String article = "F-" + CatalogFixtures.unique();
        CatalogEditor.Saved saved = editor.saveProduct(null, draft(s.organisationNumber(), article, "DIGITAL", "OPENID_CONNECT",
                List.of(new ProductDraft.NeedDraft("GIVEN_NAME", "Visa namnet", "30", List.of("SE")))), "editor-test");
        assertThat(saved.ok()).isTrue();
        Product p = catalog.product(saved.id()).orElseThrow();
        assertThat(p.price()).isEqualByComparingTo("249.50");
        assertThat(p.declaredAttributes()).containsExactly(Attribute.GIVEN_NAME);
        assertThat(audit.about("product", saved.id().toString())).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo("CATALOG_PRODUCT_CREATED");
            assertThat(e.actor()).isEqualTo("editor-test");
        });
    }

    @Test
    void anInvalidProductReportsEveryFieldAndChangesNothing() {
        Supplier s = CatalogFixtures.supplier("Formförlaget " + CatalogFixtures.unique(), "SE");
        catalog.save(s);
        Product existing = CatalogFixtures.digital(s, "Original", "", List.of("Fysik"), Attribute.PSEUDONYMOUS_ID);
        catalog.save(existing);
        ProductDraft bad = new ProductDraft(s.organisationNumber(), existing.articleNumber(), " ", "", "PRINTED_BOUND", List.of(), List.of(), List.of(),
                "PER_USER", "0", "-1", "kronor", "x", "OPENID_CONNECT",
                List.of(new ProductDraft.NeedDraft("GIVEN_NAME", "", "-3", List.of("se")),
                        new ProductDraft.NeedDraft("GIVEN_NAME", "Igen", "1", List.of("SE"))));
        CatalogEditor.Saved saved = editor.saveProduct(existing.id(), bad, "editor-test");
        assertThat(saved.ok()).isFalse();
        assertThat(saved.errors()).extracting(ProductDraft.FieldError::field, ProductDraft.FieldError::code).contains(
                org.assertj.core.groups.Tuple.tuple("title", "required"),
                org.assertj.core.groups.Tuple.tuple("licencePeriodMonths", "range"),
                org.assertj.core.groups.Tuple.tuple("trialDays", "number"),
                org.assertj.core.groups.Tuple.tuple("price", "price"),
                org.assertj.core.groups.Tuple.tuple("currency", "currency"),
                org.assertj.core.groups.Tuple.tuple("dataNeeds.GIVEN_NAME.purpose", "required"),
                org.assertj.core.groups.Tuple.tuple("dataNeeds.GIVEN_NAME.retentionDays", "range"),
                org.assertj.core.groups.Tuple.tuple("dataNeeds.GIVEN_NAME.processingCountries", "country"),
                org.assertj.core.groups.Tuple.tuple("dataNeeds.GIVEN_NAME.attribute", "duplicateAttribute"),
                org.assertj.core.groups.Tuple.tuple("accessMethod", "printedWithAccess"));
        Product after = catalog.product(existing.id()).orElseThrow();
        assertThat(after).isEqualTo(existing);
        assertThat(audit.about("product", existing.id().toString())).isEmpty();
    }

    @Test
    void anArticleNumberBelongsToOneProductAndTheSupplierMustExist() {
        Supplier s = CatalogFixtures.supplier("Formförlaget " + CatalogFixtures.unique(), "SE");
        catalog.save(s);
        Product existing = CatalogFixtures.digital(s, "Först", "", List.of());
        catalog.save(existing);
        CatalogEditor.Saved saved = editor.saveProduct(null, draft(s.organisationNumber(), existing.articleNumber(), "DIGITAL", "OPENID_CONNECT", List.of()),
                "editor-test");
        assertThat(saved.errors()).extracting(ProductDraft.FieldError::code).containsExactly("articleTaken");
        CatalogEditor.Saved unknown = editor.saveProduct(null, draft("000000-0000", "N-" + CatalogFixtures.unique(), "DIGITAL", "OPENID_CONNECT", List.of()),
                "editor-test");
        assertThat(unknown.errors()).extracting(ProductDraft.FieldError::field).containsExactly("supplier");
    }

    @Test
    void aSupplierIsSavedWithSubProcessorsAndAnAgreementWithItsDocument() {
        String orgNumber = "559" + CatalogFixtures.unique().substring(0, 7);
        SupplierDraft bad = new SupplierDraft("", orgNumber, "Sverige", List.of("SE", "usa"), "", "not-an-email", "",
                List.of(new SupplierDraft.SubProcessorDraft("Cloudhost", "", "Drift")));
        CatalogEditor.Saved refused = editor.saveSupplier(null, bad, "editor-test");
        assertThat(refused.errors()).extracting(ProductDraft.FieldError::field)
                .containsExactly("name", "country", "processingCountries", "contactEmail", "subProcessors[0].country");
        assertThat(catalog.supplierByOrganisationNumber(orgNumber)).isEmpty();

        SupplierDraft good = new SupplierDraft("Molnförlaget AB", orgNumber, "SE", List.of("SE"), "Eva", "eva@example.se", "",
                List.of(new SupplierDraft.SubProcessorDraft("Cloudhost Inc.", "US", "Analys"), new SupplierDraft.SubProcessorDraft("", "", "")));
        CatalogEditor.Saved saved = editor.saveSupplier(null, good, "editor-test");
        assertThat(saved.ok()).isTrue();
        Supplier s = catalog.supplier(saved.id()).orElseThrow();
        assertThat(s.allProcessingCountries()).containsExactly("SE", "US");

        UUID organiser = UUID.randomUUID();
        byte[] pdf = "%PDF-1.4 signed".getBytes(StandardCharsets.UTF_8);
        CatalogEditor.Saved missingDates = editor.addAgreement(s.id(), "pub.pdf", "application/pdf", pdf, "", "2020-01-01", Set.of(), "editor-test");
        assertThat(missingDates.errors()).extracting(ProductDraft.FieldError::field).containsExactly("signedOn", "organisers");
        CatalogEditor.Saved filed = editor.addAgreement(s.id(), "pub.pdf", "application/pdf", pdf, "2026-01-01", "2027-12-31", Set.of(organiser),
                "editor-test");
        assertThat(filed.ok()).isTrue();
        Supplier withAgreement = catalog.supplier(s.id()).orElseThrow();
        assertThat(withAgreement.hasProcessingAgreementFor(organiser, LocalDate.of(2026, 6, 1))).isTrue();
        assertThat(catalog.agreementDocument(filed.id()).orElseThrow().content()).isEqualTo(pdf);

        // editing the supplier keeps its agreements
        editor.saveSupplier(s.id(), new SupplierDraft("Molnförlaget AB", orgNumber, "SE", List.of("SE"), "Eva", "eva@example.se", "", List.of()),
                "editor-test");
        assertThat(catalog.supplier(s.id()).orElseThrow().processingAgreements()).hasSize(1);
        assertThat(catalog.supplier(s.id()).orElseThrow().subProcessors()).isEmpty();
        editor.removeAgreement(s.id(), filed.id(), "editor-test");
        assertThat(catalog.supplier(s.id()).orElseThrow().processingAgreements()).isEmpty();
        assertThat(audit.about("supplier", s.id().toString())).extracting(AuditTrail.Entry::action)
                .containsExactly("CATALOG_AGREEMENT_REMOVED", "CATALOG_SUPPLIER_UPDATED", "CATALOG_AGREEMENT_FILED", "CATALOG_SUPPLIER_CREATED");
    }

    private static SupplierDraft supplierDraft(String name, String orgNumber) {
        return new SupplierDraft(name, orgNumber, "SE", List.of("SE"), "Eva", "eva@example.se", "", List.of());
    }

    /** Runs both at once (released together), a round at a time; answers what each returned, in order. */
    private static <T> List<List<T>> together(int rounds, java.util.function.IntFunction<java.util.concurrent.Callable<T>> first,
                                              java.util.function.IntFunction<java.util.concurrent.Callable<T>> second) throws Exception {
        List<List<T>> results = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            for (int round = 0; round < rounds; round++) {
                var start = new java.util.concurrent.CountDownLatch(1);
                java.util.concurrent.Callable<T> a = first.apply(round);
                java.util.concurrent.Callable<T> b = second.apply(round);
                var fa = pool.submit(() -> {
                    start.await();
                    return a.call();
                });
                var fb = pool.submit(() -> {
                    start.await();
                    return b.call();
                });
                start.countDown();
                results.add(List.of(fa.get(), fb.get()));
            }
        }
        return results;
    }

    @Test
    void twoAgreementsFiledAtOnceForOneSupplierAreBothKept() throws Exception {
        Supplier s = CatalogFixtures.supplier("Samtidiga förlaget " + CatalogFixtures.unique(), "SE");
        catalog.save(s);
        UUID organiser = UUID.randomUUID();
        byte[] pdf = "%PDF-1.4 avtal".getBytes(StandardCharsets.UTF_8);
        List<List<CatalogEditor.Saved>> filed = together(8,
                round -> () -> editor.addAgreement(s.id(), "a-" + round + ".pdf", "application/pdf", pdf, "2026-01-01", "", Set.of(organiser), "editor-a"),
                round -> () -> editor.addAgreement(s.id(), "b-" + round + ".pdf", "application/pdf", pdf, "2026-01-01", "", Set.of(organiser), "editor-b"));
        assertThat(filed).allSatisfy(pair -> assertThat(pair).allMatch(CatalogEditor.Saved::ok));
        // each save replaced the supplier's agreements by those it had read: the later one undid the earlier
        assertThat(catalog.supplier(s.id()).orElseThrow().processingAgreements()).hasSize(16);
    }

    @Test
    void oneArticleNumberCreatedTwiceAtOnceIsRefusedForOneAsTakenNotAServerError() throws Exception {
        Supplier s = CatalogFixtures.supplier("Dubblettförlaget " + CatalogFixtures.unique(), "SE");
        catalog.save(s);
        String prefix = "D-" + CatalogFixtures.unique() + "-";
        List<List<CatalogEditor.Saved>> saved = together(6,
                round -> () -> editor.saveProduct(null, draft(s.organisationNumber(), prefix + round, "DIGITAL", "OPENID_CONNECT", List.of()), "editor-a"),
                round -> () -> editor.saveProduct(null, draft(s.organisationNumber(), prefix + round, "DIGITAL", "OPENID_CONNECT", List.of()), "editor-b"));
        assertThat(saved).allSatisfy(pair -> {
            assertThat(pair).filteredOn(CatalogEditor.Saved::ok).hasSize(1);
            assertThat(pair).filteredOn(r -> !r.ok()).singleElement().satisfies(r -> assertThat(r.errors())
                    .extracting(ProductDraft.FieldError::code).containsExactly("articleTaken"));
        });
        String orgNumber = "559" + String.format("%07d", java.util.concurrent.ThreadLocalRandom.current().nextInt(10_000_000));
        List<List<CatalogEditor.Saved>> suppliers = together(1,
                round -> () -> editor.saveSupplier(null, supplierDraft("Först " + round, orgNumber), "editor-a"),
                round -> () -> editor.saveSupplier(null, supplierDraft("Sist " + round, orgNumber), "editor-b"));
        assertThat(suppliers.getFirst()).filteredOn(CatalogEditor.Saved::ok).hasSize(1);
    }
}
