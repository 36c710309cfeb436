package org.tilldela.governance.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;
import org.tilldela.BrowserSupport;
import org.tilldela.IntegrationTest;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;

/**
 * Through the real doors with the default limits (five failures in a row): the login page locks an
 * account out and says so in the reader's language, refusing even the right password; the API answers
 * 429 with Retry-After; failed sign-ins are audited without the password; and an administrator changes
 * their own password from the navigation bar, after which the old one no longer signs in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignInAndPasswordBrowserTest extends IntegrationTest {

    private static final String PASSWORD = "fjällräv-i-snön-2026";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    AuditTrail audit;
    @Autowired
    JdbcClient jdbc;

    private Browser browser;

    @BeforeAll
    void launch() {
        browser = BrowserSupport.browser();
    }

    @AfterAll
    void close() {
    }

    /** Every request here comes from this machine: its address's count is ours alone, and must not lock out other tests. */
    @BeforeEach
    @AfterEach
    void forgetThisMachinesFailures() {
        jdbc.sql("delete from sign_in_throttle where kind = 'ADDRESS' and subject in ('127.0.0.1', '0:0:0:0:0:0:0:0/64')").update();
    }

    @Test
    void repeatedFailuresLockTheAccountOutWithAMessageAndTheRightPasswordIsRefused() {
        String name = account(PASSWORD);
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("en-GB"))) {
            Page page = context.newPage();
            for (int i = 1; i <= 4; i++) {
                signIn(page, name, "wrong-password-number-" + i);
                assertThat(page.url()).contains("/login?error");
                assertThat(page.getByRole(AriaRole.ALERT).textContent()).isEqualTo("Wrong username or password.");
            }
            signIn(page, name, "wrong-password-number-5");
            assertThat(page.url()).contains("/login?locked");
            assertThat(page.getByRole(AriaRole.ALERT).textContent())
                    .startsWith("Too many failed sign-ins").contains("up to 15 minutes");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "signin-01-locked");

            signIn(page, name, PASSWORD);
            assertThat(page.url()).as("the right password during the lockout").contains("/login?locked");
            page.navigate(base() + "/directory");
            assertThat(page.url()).as("not signed in").contains("/login");
        }
        // the lockout message in every language
        for (var language : List.of(List.of("sv", "spärrad i upp till 15 minuter"), List.of("da", "spærret i op til 15 minutter"))) {
            try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale(language.get(0)))) {
                Page page = context.newPage();
                page.navigate(base() + "/login?locked");
                assertThat(page.locator("p.alert.error").textContent()).contains(language.get(1));
            }
        }
    }

    @Test
    void aFailedSignInIsAuditedWithTheNameAndAddressButNotThePassword() {
        String name = account(PASSWORD);
        String typed = "Hemligt-" + UUID.randomUUID();
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("en-GB"))) {
            signIn(context.newPage(), name, typed);
        }
        List<AuditTrail.Entry> failures = audit.about("admin_account", name).stream().filter(e -> e.action().equals("SIGN_IN_FAILED")).toList();
        assertThat(failures).singleElement().satisfies(e -> {
            assertThat(e.detail()).containsAnyOf("\"127.0.0.1\"", "\"0:0:0:0:0:0:0:1\"").contains("BAD_CREDENTIALS").doesNotContain(typed);
            assertThat(e.occurredAt()).isAfter(java.time.Instant.now().minusSeconds(60));
        });
        assertThat(jdbc.sql("select count(*) from audit_event where detail::text like :p or actor like :p or target_id like :p")
                .param("p", "%" + typed + "%").query(Integer.class).single()).isZero();
    }

    @Test
    void theApiDoorIsThrottledToo() {
        String name = account(PASSWORD);
        assertThat(apiStatus(name, PASSWORD).getStatusCode().value()).isEqualTo(200);
        for (int i = 1; i <= 4; i++) {
            assertThat(apiStatus(name, "wrong-api-password-" + i).getStatusCode().value()).isEqualTo(401);
        }
        assertThat(apiStatus(name, "wrong-api-password-5").getStatusCode().value()).isEqualTo(429);
        ResponseEntity<Void> locked = apiStatus(name, PASSWORD);
        assertThat(locked.getStatusCode().value()).as("the right password during the lockout").isEqualTo(429);
        assertThat(Long.parseLong(locked.getHeaders().getFirst("Retry-After"))).isBetween(1L, 15 * 60L + 1);
    }

    @Test
    void anAdministratorChangesTheirOwnPasswordAndTheOldOneStopsWorking() {
        String name = account(PASSWORD);
        String newPassword = "blåbärsris och mossa vid sjön";
        try (BrowserContext elsewhere = browser.newContext(new Browser.NewContextOptions().setLocale("en-GB"));
             BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("en-GB"))) {
            // signed in on another computer too: that session ends with the change
            Page other = elsewhere.newPage();
            signIn(other, name, PASSWORD);
            assertThat(other.url()).doesNotContain("/login");

            Page page = context.newPage();
            signIn(page, name, PASSWORD);
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Change password")).click();
            page.waitForURL(url -> url.endsWith("/account/password"));
            assertThat(page.locator("h1").textContent()).isEqualTo("Change your password");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();

            // the current password is required
            fill(page, "not-my-password-at-all", newPassword, newPassword);
            assertThat(page.locator("#currentPassword-error").textContent()).isEqualTo("The current password is wrong.");
            assertThat(page.getByLabel("Current password").getAttribute("aria-invalid")).isEqualTo("true");
            // the policy: a common password, and one containing the account name
            fill(page, PASSWORD, "Password2026!", "Password2026!");
            assertThat(page.locator("#newPassword-error").textContent()).startsWith("Too common");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "password-01-refused");
            fill(page, PASSWORD, "jag är " + name + " ja", "jag är " + name + " ja");
            assertThat(page.locator("#newPassword-error").textContent()).isEqualTo("The password must not contain your account name.");
            fill(page, PASSWORD, newPassword, newPassword + " ");
            assertThat(page.locator("#repeatPassword-error").textContent()).isEqualTo("The two new passwords differ.");

            fill(page, PASSWORD, newPassword, newPassword);
            assertThat(page.getByRole(AriaRole.STATUS).textContent()).startsWith("Your password has been changed.");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "password-02-changed");

            // this session goes on; the other one has ended
            page.navigate(base() + "/account/password");
            assertThat(page.url()).endsWith("/account/password");
            other.navigate(base() + "/account/password");
            assertThat(other.url()).contains("/login");

            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out")).click();
            page.waitForURL(url -> url.contains("/login?logout"));
            signIn(page, name, PASSWORD);
            assertThat(page.url()).as("the old password").contains("/login?error");
            signIn(page, name, newPassword);
            assertThat(page.url()).as("the new password").doesNotContain("/login");
        }
        assertThat(audit.about("admin_account", name)).extracting(AuditTrail.Entry::action).contains("ADMIN_PASSWORD_CHANGED", "ADMIN_PASSWORD_CHANGE_REFUSED");
        assertThat(jdbc.sql("select count(*) from audit_event where detail::text like :p").param("p", "%blåbärsris%").query(Integer.class).single()).isZero();
    }

    @Test
    void thePasswordPageSpeaksSwedishAndDanish() {
        String name = account(PASSWORD);
        for (var language : List.of(List.of("sv", "Byt lösenord", "Byt ditt lösenord"), List.of("da", "Skift adgangskode", "Skift din adgangskode"))) {
            try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale(language.get(0)))) {
                Page page = context.newPage();
                page.navigate(base() + "/login");
                page.locator("#username").fill(name);
                page.locator("#password").fill(PASSWORD);
                page.locator("#password").press("Enter");
                page.waitForURL(url -> !url.contains("/login"));
                page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(language.get(1))).click();
                page.waitForURL(url -> url.endsWith("/account/password"));
                assertThat(page.locator("h1").textContent()).isEqualTo(language.get(2));
                assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            }
        }
    }

    private String account(String password) {
        String name = "self-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(name, "Self Service", password, EnumSet.of(AdminRight.DIRECTORY_ADMIN), "test");
        return name;
    }

    private void signIn(Page page, String name, String password) {
        page.navigate(base() + "/login");
        page.locator("#username").fill(name);
        page.locator("#password").fill(password);
        page.locator("#password").press("Enter");
        page.waitForLoadState();
        page.waitForURL(url -> !url.endsWith("/login"));
    }

    private static void fill(Page page, String current, String newPassword, String repeat) {
        page.getByLabel("Current password").fill(current);
        page.getByLabel("New password", new Page.GetByLabelOptions().setExact(true)).fill(newPassword);
        page.getByLabel("New password again").fill(repeat);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Change password")).click();
        page.waitForLoadState();
    }

    private ResponseEntity<Void> apiStatus(String name, String password) {
        return RestClient.create(base()).get().uri("/api/v1/directory/stats").headers(h -> h.setBasicAuth(name, password, java.nio.charset.StandardCharsets.UTF_8))
                .exchange((request, response) -> ResponseEntity.status(response.getStatusCode()).headers(response.getHeaders()).build());
    }

    private String base() {
        return "http://localhost:" + port;
    }
}
