package org.tilldela;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import org.junit.jupiter.api.Test;

/** The accessibility check the browser tests rely on finds what it must, and passes what is right. */
class BrowserSupportTest {

    @Test
    void theAccessibilityCheckFindsViolationsAndPassesACleanPage() {
        try (BrowserContext context = BrowserSupport.browser().newContext()) {
            Page page = context.newPage();
            page.setContent("""
                    <!doctype html><html><head><title>Broken</title></head><body><main>
                    <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
                    <input type="text" name="q">
                    <p style="color:#bbb;background:#fff">Pale text</p>
                    </main></body></html>""");
            assertThat(BrowserSupport.accessibilityViolations(page))
                    .contains("html-has-lang", "image-alt", "label", "color-contrast");

            page.setContent("""
                    <!doctype html><html lang="sv"><head><title>Hel</title></head><body><main>
                    <h1>Sök</h1><label for="q">Namn</label><input id="q" type="text" name="q">
                    </main></body></html>""");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
        }
    }
}
