package org.tilldela.catalog.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.tilldela.IntegrationTest;
import org.tilldela.RawHttp;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogFixtures;
import org.tilldela.catalog.Supplier;
import org.tilldela.catalog.feed.CatalogEditor;
import org.tilldela.catalog.feed.ProductDraft;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/** An uploaded agreement document is only ever a download: whatever its uploader called it, it never renders in our origin. */
class AgreementDocumentTest extends IntegrationTest {

    private static final String PASSWORD = "agreement-doc-password-1";

    @LocalServerPort int port;
    @Autowired Catalog catalog;
    @Autowired CatalogEditor editor;
    @Autowired AdminAccounts accounts;

    @Test
    void anAgreementDocumentIsServedAsAnOpaqueAttachment() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Supplier s = CatalogFixtures.supplier("Dokumentförlaget " + tag, "SE");
        catalog.save(s);
        byte[] html = "<html><script>alert(document.cookie)</script></html>".getBytes(StandardCharsets.UTF_8);
        CatalogEditor.Saved filed = editor.addAgreement(s.id(), "avtal.html", "text/html", html, "2026-01-01", "2027-12-31",
                Set.of(UUID.randomUUID()), "test");
        assertThat(filed.ok()).isTrue();
        String user = "doc-" + tag;
        accounts.create(user, "Document test", PASSWORD, EnumSet.of(AdminRight.CATALOG_ADMIN), "test");

        RawHttp browser = RawHttp.to(port);
        browser.signIn(user, PASSWORD);
        RawHttp.Response doc = browser.get("/catalog/suppliers/" + s.id() + "/agreements/" + filed.id() + "/document");
        assertThat(doc.status()).isEqualTo(200);
        assertThat(doc.header("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(doc.header("Content-Disposition")).startsWith("attachment;").contains("avtal.html");
        assertThat(doc.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(doc.body()).isEqualTo(new String(html, StandardCharsets.UTF_8));
    }

    /** A day the database cannot keep (before 4713 BC it would be written as -infinity) is refused as a date, and the supplier still reads. */
    @Test
    void anAgreementDayOutOfAnyCalendarIsRefusedAndTheSupplierStillReads() {
        Supplier s = CatalogFixtures.supplier("Datumförlaget " + UUID.randomUUID().toString().substring(0, 8), "SE");
        catalog.save(s);
        for (String[] days : new String[][] {{"-5000-01-01", "2027-12-31"}, {"2026-01-01", "+999999999-12-31"}}) {
            CatalogEditor.Saved refused = editor.addAgreement(s.id(), "avtal.pdf", "application/pdf", new byte[] {1}, days[0], days[1],
                    Set.of(UUID.randomUUID()), "test");
            assertThat(refused.ok()).as(String.join(" – ", days)).isFalse();
            assertThat(refused.errors()).extracting(ProductDraft.FieldError::code).contains("date");
        }
        assertThat(catalog.supplier(s.id())).hasValueSatisfying(read -> assertThat(read.processingAgreements()).isEmpty());
    }
}
