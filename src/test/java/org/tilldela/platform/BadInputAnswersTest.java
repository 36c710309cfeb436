package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/**
 * Input that once ended in a server error (a review's finds) is refused as bad input: a date beyond what Java's date
 * arithmetic or PostgreSQL keeps, a body that says it is multipart and is not, a form naming an attribute that does not
 * exist, a cart line that is no longer there.
 */
class BadInputAnswersTest extends IntegrationTest {

    private static final String PASSWORD = "bad-input-answers-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;

    private String root() {
        String root = "bad-input-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(root, "Root", PASSWORD, EnumSet.allOf(AdminRight.class), "test");
        return root;
    }

    @Test
    void datesBeyondWhatIsKeptAreABadRequest() {
        WebSession web = new WebSession(port).signIn(root(), PASSWORD);
        // Java's date arithmetic: the day after the last day there is
        assertThat(web.page("/admin/audit?to=%2B999999999-12-31").status()).isEqualTo(400);
        // PostgreSQL's: a year it keeps no timestamp of
        assertThat(web.page("/admin/audit?from=%2B300000-01-01").status()).isEqualTo(400);
        assertThat(web.page("/admin/audit/audit.csv?to=%2B999999999-12-31").status()).isEqualTo(400);
        assertThat(web.page("/admin/audit?from=2026-01-01").status()).as("an ordinary one still works").isEqualTo(200);
    }

    @Test
    void aBodyThatIsNotTheMultipartItSaysIsABadRequest() {
        String root = root();
        int status = RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(root, PASSWORD)).build()
                .post().uri("/api/v1/imports/oneroster?source=bad-input").header("Content-Type", "multipart/form-data")
                .body("not a multipart body").exchange((req, res) -> res.getStatusCode().value());
        assertThat(status).isEqualTo(400);
    }

    @Test
    void aFormNamingNoAttributeOrALineNoLongerInTheCartIsRefusedPlainly() {
        WebSession web = new WebSession(port).signIn(root(), PASSWORD);
        Map<String, String> csrf = WebSession.hiddenFields(web.page("/purchase/cart").body(), "/logout");
        assertThat(csrf).isNotEmpty();

        Map<String, String> policy = new java.util.HashMap<>(csrf);
        policy.put("organiser", UUID.randomUUID().toString());
        policy.put("allowed", "NOT_AN_ATTRIBUTE");
        assertThat(web.post("/purchase/policy", policy).status()).isEqualTo(400);

        // a line removed in another tab: back to the cart, which says so
        WebSession.Answer removed = web.post("/purchase/cart/" + UUID.randomUUID() + "/recipients/0/remove", csrf);
        assertThat(removed.status()).isEqualTo(302);
        assertThat(removed.location()).endsWith("/purchase/cart");
        assertThat(web.follow(removed).body()).contains("No such line in your cart.");
    }
}
