package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/** Switching language keeps the page and its query: only lang changes. */
class LanguageLinksTest extends IntegrationTest {

    @LocalServerPort int port;
    @Autowired AdminAccounts accounts;

    @Test
    void theLanguageLinksLeadToTheSamePageWithTheSameQuery() {
        String admin = "lang-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(admin, "Språk", "language-links-password-1", EnumSet.of(AdminRight.DIRECTORY_ADMIN), "test");
        WebSession web = new WebSession(port).signIn(admin, "language-links-password-1");

        String page = web.get("/directory/search?q=Bergkvist%2C+%C3%96sten&lang=en").body();
        assertThat(page).contains("href=\"/directory/search?q=Bergkvist%2C+%C3%96sten&amp;lang=sv\"")
                .contains("href=\"/directory/search?q=Bergkvist%2C+%C3%96sten&amp;lang=da\"")
                .contains("href=\"/directory/search?q=Bergkvist%2C+%C3%96sten&amp;lang=en\"");
        // following one: the same search, now in Swedish, its own links keep it too
        String swedish = web.get("/directory/search?q=Bergkvist%2C+%C3%96sten&lang=sv").body();
        assertThat(swedish).contains("lang=\"sv\"").contains("value=\"Bergkvist, Östen\"")
                .contains("href=\"/directory/search?q=Bergkvist%2C+%C3%96sten&amp;lang=da\"");
        // a page without a query gets just the language
        assertThat(web.get("/directory").body()).contains("href=\"/directory?lang=da\"");
        // the sign-in page too
        assertThat(new WebSession(port).get("/login?lang=en").body()).contains("href=\"/login?lang=sv\"");
    }
}
