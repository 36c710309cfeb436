package org.tilldela;

import com.deque.html.axecore.playwright.AxeBuilder;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/** Debian's Chromium driven by Playwright, plus the accessibility check every page must pass. */
public final class BrowserSupport {

    private BrowserSupport() {
    }

    /** Made on first use; closed when the test JVM ends. */
    private static Playwright playwright;
    private static Browser browser;
    /** Where the browser tests' time goes, written to target/browser-timings.txt when the test JVM ends. */
    private static final java.util.concurrent.atomic.LongAdder AXE_NANOS = new java.util.concurrent.atomic.LongAdder();
    private static final java.util.concurrent.atomic.LongAdder AXE_CHECKS = new java.util.concurrent.atomic.LongAdder();
    private static final java.util.concurrent.atomic.LongAdder SCREENSHOT_NANOS = new java.util.concurrent.atomic.LongAdder();
    private static final java.util.concurrent.atomic.LongAdder SCREENSHOTS = new java.util.concurrent.atomic.LongAdder();

    /**
     * One Chromium for the whole test JVM. Starting Playwright's driver and Chromium costs two to three seconds, once
     * per browser test class before; each test isolates itself in a {@link com.microsoft.playwright.BrowserContext}
     * of its own (cookies, storage), which it closes. Playwright objects are not thread-safe: the tests run one at a
     * time on one thread.
     */
    public static synchronized Browser browser() {
        if (browser == null || !browser.isConnected()) {
            if (playwright == null) {
                playwright = Playwright.create();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    playwright.close();
                    writeTimings();
                }, "playwright-close"));
            }
            browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(Paths.get(System.getProperty("tilldela.chromium", "/usr/bin/chromium")))
                    .setHeadless(true)
                    .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                            "--disable-sync", "--no-first-run")));
        }
        return browser;
    }

    /** axe-core's script as Deque's Playwright integration ships it (read once; the integration reads it on every check). */
    private static String axeSource;

    /**
     * WCAG 2.1 A and AA violations on the current page, as readable text; empty when there are none. axe-core (the
     * script of Deque's Playwright integration, {@link AxeBuilder#getAxeScript()}) runs in the page through its
     * documented {@code axe.run}, restricted to the WCAG 2.1 A/AA tags, reporting violations only, and the page hands
     * back only what the message needs (rule, help, the nodes' selectors). Deque's {@link AxeBuilder} in legacy mode
     * does the same but reads the 550 KB script from its jar on each check and copies axe's whole result out of the
     * page: 0.7 s a check, for the suite's 160 checks two minutes.
     */
    @SuppressWarnings("unchecked")
    public static String accessibilityViolations(Page page) {
        long started = System.nanoTime();
        if (!Boolean.TRUE.equals(page.evaluate("() => typeof window.axe === 'object'"))) {
            page.evaluate(axeSource());
        }
        Object found = page.evaluate("""
                async () => {
                  const r = await axe.run(document, {
                    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
                    resultTypes: ['violations'] });
                  return r.violations.map(v => v.id + ': ' + v.help + ' at ' + v.nodes.map(n => String(n.target)).join(', '));
                }""");
        AXE_NANOS.add(System.nanoTime() - started);
        AXE_CHECKS.increment();
        return String.join("\n", (List<String>) found);
    }

    private static synchronized String axeSource() {
        if (axeSource == null) {
            axeSource = AxeBuilder.getAxeScript();
            if (axeSource.isEmpty()) {
                throw new IllegalStateException("axe.min.js is not on the class path (com.deque.html.axe-core:playwright)");
            }
        }
        return axeSource;
    }

    /** Signs in on the administrators' sign-in page in {@code lang}, as a person types it, and waits to be let in. */
    public static void signIn(Page page, int port, String lang, String username, String password) {
        page.navigate("http://localhost:" + port + "/login?lang=" + lang);
        page.locator("#username").fill(username);
        page.locator("#password").fill(password);
        page.locator("#password").press("Enter");
        page.waitForURL(url -> !url.contains("/login"));
    }

    public static void screenshot(Page page, String name) {
        long started = System.nanoTime();
        page.screenshot(new Page.ScreenshotOptions().setPath(Path.of("target", "screenshots", name + ".png")).setFullPage(true));
        SCREENSHOT_NANOS.add(System.nanoTime() - started);
        SCREENSHOTS.increment();
    }

    private static void writeTimings() {
        try {
            java.nio.file.Files.writeString(Path.of("target", "browser-timings.txt"), String.format("%d accessibility checks: %.1f s%n%d screenshots: %.1f s%n",
                    AXE_CHECKS.sum(), AXE_NANOS.sum() / 1e9, SCREENSHOTS.sum(), SCREENSHOT_NANOS.sum() / 1e9));
        } catch (java.io.IOException e) {
            // only a measurement: the tests' outcome does not depend on it
        }
    }
}
