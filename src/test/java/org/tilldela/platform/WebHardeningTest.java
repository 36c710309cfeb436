package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.RawHttp;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/** Small leaks: a NUL byte is the client's mistake, not a stack trace; the login page makes no session; the API map needs a right. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebHardeningTest extends IntegrationTest {

    private static final String PASSWORD = "web-hardening-password-1";

    @LocalServerPort int port;
    @Autowired AdminAccounts accounts;
    @Autowired JdbcClient jdbc;
    String admin;
    String withoutRights;

    @BeforeAll
    void accounts() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        admin = "hardening-" + tag;
        withoutRights = "norights-" + tag;
        accounts.create(admin, "Hardening test", PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN, AdminRight.CATALOG_ADMIN), "test");
        accounts.create(withoutRights, "No rights", PASSWORD, EnumSet.noneOf(AdminRight.class), "test");
    }

    private static void badRequestWithoutDetails(RawHttp.Response r) {
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).doesNotContain("Exception", "\tat ", "at org.", "PSQL", "SQL");
    }

    @Test
    void aNulInAQueryParameterIsABadRequestWithoutAStackTrace() {
        for (String path : List.of("/api/v1/directory/search?q=ab%00cd", "/api/v1/catalog/products?q=ma%00te")) {
            badRequestWithoutDetails(RawHttp.to(port).get(path, RawHttp.basic(admin, PASSWORD)));
        }
        RawHttp browser = RawHttp.to(port);
        browser.signIn(admin, PASSWORD);
        badRequestWithoutDetails(browser.get("/directory/search?q=ab%00cd"));
        badRequestWithoutDetails(browser.get("/catalog?q=ma%00te"));
        assertThat(browser.get("/directory/search?q=abcd").status()).as("an ordinary search still works").isEqualTo(200);
    }

    private long sessions() {
        return jdbc.sql("select count(*) from spring_session").query(Long.class).single();
    }

    @Test
    void anAnonymousLoginPageMakesNoSessionAndSignInStillWorks() {
        long before = sessions();
        for (int i = 0; i < 5; i++) {
            RawHttp.Response page = RawHttp.to(port).get("/login");
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.setCookie("SESSION")).isNull();
        }
        assertThat(RawHttp.to(port).get("/directory").status()).isEqualTo(302);
        assertThat(sessions()).isEqualTo(before);

        RawHttp browser = RawHttp.to(port);
        RawHttp.Response signedIn = browser.signIn(admin, PASSWORD);
        assertThat(signedIn.status()).isEqualTo(302);
        assertThat(signedIn.header("Location")).isEqualTo("http://localhost:" + port + "/");
        assertThat(browser.cookies()).containsKey("SESSION");
        assertThat(sessions()).isEqualTo(before + 1);
        assertThat(browser.get("/directory").status()).isEqualTo(200);
    }

    @Test
    void theApiDescriptionNeedsARight() {
        assertThat(RawHttp.to(port).get("/v3/api-docs").status()).as("anonymous: to the login page").isEqualTo(302);
        RawHttp nobody = RawHttp.to(port);
        nobody.signIn(withoutRights, PASSWORD);
        assertThat(nobody.get("/v3/api-docs").status()).isEqualTo(403);
        assertThat(nobody.get("/swagger-ui/index.html").status()).isEqualTo(403);
        RawHttp someone = RawHttp.to(port);
        someone.signIn(admin, PASSWORD);
        assertThat(someone.get("/v3/api-docs").status()).isEqualTo(200);
        // Swagger UI and its script (springdoc finds its WebJar itself; Spring's resource chain is off)
        assertThat(someone.get("/swagger-ui/index.html").status()).isEqualTo(200);
        assertThat(someone.get("/swagger-ui/swagger-ui-bundle.js").status()).isEqualTo(200);
        // the application's own static files and WebJars, by the paths the templates use
        assertThat(someone.get("/css/tilldela.css").status()).isEqualTo(200);
        assertThat(someone.get("/webjars/htmx.org/2.0.4/dist/htmx.min.js").status()).isEqualTo(200);
    }
}
