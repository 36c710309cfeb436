package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.EnumSet;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.tilldela.BrowserSupport;
import org.tilldela.WebSession;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.directory.oneroster.OneRosterReader;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/**
 * An import that has to wait for another one of its source (a nightly run, another node's) says so on its run — the
 * run's page names it in the reader's language (checked in a real browser, with axe) — instead of seeming stuck, and
 * goes on once the other is done.
 */
class WaitingImportTest extends DirectoryImportTestSupport {

    private static final String PASSWORD = "waiting-import-password-1";

    @LocalServerPort int port;
    @Autowired DataSource dataSource;
    @Autowired AdminAccounts accounts;

    @Test
    void anImportWaitingForAnotherOfItsSourceSaysSoThenRuns() throws Exception {
        String source = newSource("waiting");
        Path stored = Files.copy(OneRosterPackage.small().writeV11(tmp.resolve("w.zip")), tmp.resolve("w-stored.zip"));
        String admin = "waiting-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(admin, "Waiting", PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN), "test");

        UUID run;
        try (Connection other = dataSource.getConnection()) {
            // another import of the source is under way: it holds the source's lock until its transaction ends
            other.setAutoCommit(false);
            try (var lock = other.prepareStatement("select pg_advisory_xact_lock(hashtext('directory-import:' || ?))")) {
                lock.setString(1, source);
                lock.execute();
            }
            run = importRuns.submit("ONEROSTER", new ImportOptions(source, false, "test"), stored, "w.zip", path -> new OneRosterReader(path, "w.zip"));
            UUID waiting = run;
            await().atMost(Duration.ofSeconds(30)).until(() -> "waiting for another import".equals(importRuns.find(waiting).orElseThrow().phase()));
            assertThat(importRuns.find(run).orElseThrow().status()).isEqualTo(ImportRuns.Status.RUNNING);
            assertThat(count("person", source)).isZero();

            WebSession web = new WebSession(port).signIn(admin, PASSWORD);
            assertThat(web.get("/imports/" + run + "?lang=en").body()).contains("waiting for another import of the directory to finish");
            // the run's page as an administrator sees it, in a real browser
            try (BrowserContext context = BrowserSupport.browser().newContext(new Browser.NewContextOptions().setLocale("sv-SE"))) {
                Page page = context.newPage();
                BrowserSupport.signIn(page, port, "sv", admin, PASSWORD);
                page.navigate("http://localhost:" + port + "/imports/" + run + "?lang=sv");
                assertThat(page.locator(".phase").textContent()).isEqualTo("väntar på att en annan import av katalogen blir klar");
                assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
                BrowserSupport.screenshot(page, "import-waiting-for-another");
            }
            other.rollback();
        }
        UUID finished = run;
        await().atMost(Duration.ofSeconds(60)).until(() -> importRuns.find(finished).orElseThrow().status() == ImportRuns.Status.SUCCEEDED);
        assertThat(count("person", source)).isEqualTo(13);
    }
}
