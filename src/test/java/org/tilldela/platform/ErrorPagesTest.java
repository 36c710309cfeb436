package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/**
 * Errors are pages of the site (issue 13): 400, 403, 404 and 500 in its layout, with its navigation, in the reader's
 * language, with a way back — never Tomcat's or Spring's own page, never a stack trace; a search too long gets a message.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorPagesTest extends IntegrationTest {

    private static final String PASSWORD = "error-pages-password";

    @LocalServerPort int port;
    @Autowired AdminAccounts accounts;

    String admin;

    @BeforeAll
    void accounts() {
        admin = "errors-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(admin, "Licenser", PASSWORD, EnumSet.of(AdminRight.LICENCE_ADMIN, AdminRight.DIRECTORY_ADMIN), "test");
    }

    private WebSession signedIn() {
        return new WebSession(port).signIn(admin, PASSWORD);
    }

    /** The site's own page: its navigation, its footer, the way back to the start page; nothing of the failure's inside. */
    private static void aPageOfTheSite(WebSession.Answer answer, int status) {
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.body()).contains("<nav", "href=\"/licences\"", "class=\"footer\"", "href=\"/\"")
                .doesNotContain("Whitelabel", "Apache Tomcat", "Exception", "\tat ", "must not show");
    }

    @Test
    void aPageNotFoundIsThePagesOwnWithTheWayBackToItsArea() {
        WebSession.Answer answer = signedIn().page("/licences/pools/" + UUID.randomUUID());
        aPageOfTheSite(answer, 404);
        assertThat(answer.body()).contains("The page was not found", "Back to Licences", "Back to the start page");
        assertThat(signedIn().page("/no/such/page").body()).contains("The page was not found").doesNotContain("Back to Licences");
    }

    @Test
    void aBadRequestAndAForbiddenPageInSwedishAndDanish() {
        WebSession web = signedIn();
        WebSession.Answer bad = web.page("/licences/pools/not-an-id?lang=sv");
        aPageOfTheSite(bad, 400);
        assertThat(bad.body()).contains("Begäran kunde inte förstås", "Tillbaka till Licenser", "lang=\"sv\"");
        WebSession.Answer forbidden = web.page("/ledger?lang=da");
        aPageOfTheSite(forbidden, 403);
        assertThat(forbidden.body()).contains("Din konto må ikke gøre dette", "lang=\"da\"");
    }

    @Test
    void anUnexpectedFailureIsAPageOfTheSiteWithoutItsInsides() {
        WebSession.Answer answer = signedIn().page("/test-only/fails");
        aPageOfTheSite(answer, 500);
        assertThat(answer.body()).contains("Something went wrong on our side");
    }

    @Test
    void aSearchTooLongGetsAMessage() {
        WebSession web = signedIn();
        String words = "a".repeat(20_000);
        WebSession.Answer answer = web.page("/directory/search?q=" + words);
        // refused by Tomcat before the application reads it: its headers unread, the page says it in all three languages
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body()).contains("class=\"banner\"", "href=\"/\"", "class=\"footer\"", "/css/tilldela.css")
                .contains("The request was too long to read", "Begäran var för lång för att läsas", "Forespørgslen var for lang til at blive læst")
                .doesNotContain("HTTP Status", "Apache Tomcat");
        assertThat(web.page("/directory/search?q=abc").status()).as("an ordinary search still works").isEqualTo(200);
    }
}
