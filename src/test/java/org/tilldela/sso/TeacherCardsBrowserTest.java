package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.Media;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.tilldela.BrowserSupport;

/**
 * A teacher and a young pupil in real browsers, checked with axe (WCAG 2.1 AA): the teacher signs in, opens
 * their class, sets a password and prints a sign-in card; the pupil opens the card's address on a phone and
 * picks their pictures with the keyboard, and lands on their start page.
 */
class TeacherCardsBrowserTest extends CardTestSupport {

    @Test
    void aTeacherPrintsACardAndAPupilSignsInWithItsPictures() throws Exception {
        Classes c = classes();
        UUID pupil = pupilsOf(c.taught()).get(4);
        String teacherName = "larare-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.setPassword(c.teacher(), teacherName, PASSWORD, "test");
        String className = jdbc.sql("select name from student_group where id = :g").param("g", c.taught()).query(String.class).single();
        record Name(String givenName, String familyName) {
        }
        Name name = jdbc.sql("select given_name, family_name from person where id = :p").param("p", pupil).query(Name.class).single();
        String fullName = name.givenName() + " " + name.familyName();

        Browser browser = BrowserSupport.browser();
        PrintedCard card;
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setLocale("sv-SE"))) {
            Page page = context.newPage();
            page.navigate(baseUrl() + "/sign-in");
            page.getByLabel("Användarnamn").fill(teacherName);
            page.getByLabel("Lösenord").fill(PASSWORD);
            page.keyboard().press("Enter");
            page.waitForURL(url -> url.endsWith("/start"));
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Mina klasser")).click();
            page.waitForURL(url -> url.endsWith("/start/classes"));
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "sso-cards-01-my-classes-sv");

            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(className).setExact(true)).click();
            page.waitForURL(url -> url.endsWith("/start/classes/" + c.taught()));
            assertThat(page.locator("h1").textContent()).isEqualTo("Klass " + className);
            assertThat(page.locator("tbody").textContent()).contains(fullName);
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "sso-cards-02-class-sv");

            // a password for the pupil, set with the keyboard
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Sätt lösenord – " + fullName)).click();
            assertThat(page.locator("h1").textContent()).isEqualTo("Lösenord för " + fullName);
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "sso-cards-03-pupil-password-sv");
            page.getByLabel("Användarnamn").fill("elev-" + UUID.randomUUID().toString().substring(0, 8));
            page.getByLabel("Nytt lösenord").fill("fyra glada grodor");
            page.keyboard().press("Enter");
            page.waitForURL(url -> url.contains("done=password"));
            assertThat(page.getByRole(AriaRole.STATUS).textContent()).contains("Lösenordet för " + fullName + " är satt");

            // a new card for the pupil: the print page, as printed too
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Nytt kort – " + fullName)).click();
            page.waitForURL(url -> url.endsWith("/cards"));
            assertThat(page.locator("h1").textContent()).isEqualTo("Inloggningskort för " + className);
            assertThat(page.locator(".sign-in-card").count()).isEqualTo(1);
            // as whole words: a synthetic pupil may well be called Solveig
            assertThat(page.locator(".sign-in-card").textContent()).as("the card does not carry the pictures").contains(name.givenName())
                    .doesNotContainPattern("(?U)\\bSol\\b").doesNotContainPattern("(?U)\\bKatt\\b");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "sso-cards-04-print-sv");
            page.emulateMedia(new Page.EmulateMediaOptions().setMedia(Media.PRINT));
            BrowserSupport.screenshot(page, "sso-cards-05-print-as-printed");
            card = cardsOn(page.content()).getFirst();
        }

        try (BrowserContext phone = browser.newContext(new Browser.NewContextOptions().setLocale("sv-SE").setViewportSize(390, 844)
                .setIsMobile(true).setHasTouch(true))) {
            Page page = phone.newPage();
            page.navigate(card.url());
            assertThat(page.locator("h1").textContent()).isEqualTo("Hej " + name.givenName() + "!");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
            BrowserSupport.screenshot(page, "sso-cards-06-pictures-phone-sv");
            for (int i = 0; i < card.pictures().size(); i++) {
                String picture = messages.getMessage("sso.picture." + card.pictures().get(i).name(), null, Locale.forLanguageTag("sv"));
                page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(picture).setExact(true)).focus();
                page.keyboard().press("Enter");
                if (i < card.pictures().size() - 1) {
                    // each press is a plain form post: the page comes back counting the pictures picked
                    page.getByRole(AriaRole.STATUS).filter(new com.microsoft.playwright.Locator.FilterOptions().setHasText((i + 1) + " av 4 bilder valda"))
                            .waitFor();
                }
                if (i == 1) {
                    // autofocus is applied at the page's next rendering, not as it is parsed: wait for it (at most 5 s)
                    page.waitForFunction("expected => document.activeElement && document.activeElement.getAttribute('aria-label') === expected", picture,
                            new Page.WaitForFunctionOptions().setTimeout(5_000));
                    assertThat(page.evaluate("document.activeElement.getAttribute('aria-label')")).as("the keyboard goes on from the picture picked")
                            .isEqualTo(picture);
                    assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
                    BrowserSupport.screenshot(page, "sso-cards-07-two-picked-phone-sv");
                }
            }
            page.waitForURL(url -> url.endsWith("/start"));
            assertThat(page.locator("h1").textContent()).isEqualTo("Dina läromedel");
            BrowserSupport.screenshot(page, "sso-cards-08-start-phone-sv");

            page.navigate(card.url() + "?lang=en");
            assertThat(page.locator("h1").textContent()).isEqualTo("Hello " + name.givenName() + "!");
            assertThat(BrowserSupport.accessibilityViolations(page)).isEmpty();
        }
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'CARD_SIGN_IN' and actor = :p").param("p", pupil.toString())
                .query(Integer.class).single()).isEqualTo(1);
    }
}
