package org.tilldela;

import com.deque.html.axecore.args.AxeRunOnlyOptions;
import com.deque.html.axecore.args.AxeRunOptions;
import com.deque.html.axecore.playwright.AxeBuilder;
import com.deque.html.axecore.results.AxeResults;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;

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

    /**
     * WCAG 2.1 A and AA violations on the current page, as readable text; empty when there are none. axe runs in
     * the page itself ("legacy mode": the pages have no frames to combine) and reports violations only: the default
     * opens a second page to merge per-frame results and serialises every passing node too, four times slower
     * (about 2 s a page against 0.5 s here), and the suite checks about ninety pages.
     */
    public static String accessibilityViolations(Page page) {
        AxeRunOnlyOptions only = new AxeRunOnlyOptions();
        only.setType("tag");
        only.setValues(List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa"));
        AxeRunOptions options = new AxeRunOptions();
        options.setRunOnly(only);
        options.setResultTypes(List.of("violations"));
        long started = System.nanoTime();
        AxeResults results = new AxeBuilder(page).options(options).setLegacyMode(true).analyze();
        AXE_NANOS.add(System.nanoTime() - started);
        AXE_CHECKS.increment();
        if (results.isErrored()) {
            // analyze() reports a failure of axe itself as a result with no violations: never let that pass a page
            throw new IllegalStateException("axe did not run on " + page.url() + ": " + results.getErrorMessage());
        }
        return results.getViolations().stream()
                .map(v -> v.getId() + ": " + v.getHelp() + " at " + v.getNodes().stream().map(n -> String.valueOf(n.getTarget())).collect(Collectors.joining(", ")))
                .collect(Collectors.joining("\n"));
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
