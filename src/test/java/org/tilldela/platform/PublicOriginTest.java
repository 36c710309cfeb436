package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.tilldela.IntegrationTest;
import org.tilldela.RawHttp;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/**
 * The address Tilldela answers from is configured, never taken from the request: a forged Host header
 * cannot send a user elsewhere. Forwarded headers count only from a trusted proxy (the test context
 * trusts 127.0.0.2 and connects from 127.0.0.1 as anybody else); behind a TLS proxy every cookie is Secure.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PublicOriginTest extends IntegrationTest {

    private static final String PASSWORD = "public-origin-password-1";
    private static final String PROXY = "127.0.0.2";

    @LocalServerPort int port;
    @Autowired AdminAccounts accounts;
    String user;

    @BeforeAll
    void account() {
        user = "origin-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.create(user, "Origin test", PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN), "test");
    }

    private String origin() {
        return "http://localhost:" + port;
    }

    private static String csrf(String html) {
        Matcher m = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(html);
        assertThat(m.find()).as("a form with a CSRF token").isTrue();
        return m.group(1);
    }

    @Test
    void theHostHeaderNeverReachesALocation() {
        RawHttp anybody = RawHttp.to(port);
        for (String host : List.of("Host: evil.example", "Host: evil.example:6666")) {
            RawHttp.Response entry = anybody.get("/directory", host);
            assertThat(entry.status()).isEqualTo(302);
            assertThat(entry.header("Location")).isEqualTo(origin() + "/login");
        }
        assertThat(RawHttp.to(port).signIn(user, "not-the-password-1", "Host: evil.example").header("Location"))
                .isEqualTo(origin() + "/login?error");

        RawHttp browser = RawHttp.to(port);
        RawHttp.Response signedIn = browser.signIn(user, PASSWORD, "Host: evil.example");
        assertThat(signedIn.status()).isEqualTo(302);
        assertThat(signedIn.header("Location")).isEqualTo(origin() + "/");
        assertThat(browser.get("/", "Host: evil.example").header("Location")).as("a controller's own redirect")
                .isEqualTo(origin() + "/directory");
        RawHttp.Response page = browser.get("/directory", "Host: evil.example");
        assertThat(page.status()).isEqualTo(200);
        RawHttp.Response logout = browser.postForm("/logout", Map.of("_csrf", csrf(page.body())), "Host: evil.example");
        assertThat(logout.header("Location")).isEqualTo(origin() + "/login?logout");
    }

    @Test
    void forwardedHeadersCountOnlyFromATrustedProxy() {
        String[] forged = {"X-Forwarded-Host: evil.example", "X-Forwarded-Proto: https", "X-Forwarded-Port: 6666"};
        RawHttp.Response direct = RawHttp.to(port).get("/directory", forged);
        assertThat(direct.header("Location")).as("not a proxy: every forwarded header ignored").isEqualTo(origin() + "/login");

        RawHttp.Response viaProxy = RawHttp.to(port, PROXY).get("/directory", forged);
        assertThat(viaProxy.header("Location")).as("the proxy's scheme counts, never a forwarded host or port")
                .isEqualTo("https://localhost/login");
    }

    @Test
    void behindATrustedTlsProxyEveryCookieIsSecure() {
        String[] tls = {"X-Forwarded-Proto: https", "X-Forwarded-For: 203.0.113.7"};
        RawHttp proxied = RawHttp.to(port, PROXY);
        RawHttp.Response page = proxied.get("/login?lang=sv", tls);
        assertThat(page.setCookie("tilldela-lang")).contains("; Secure");
        RawHttp.Response signedIn = proxied.signIn(user, PASSWORD, tls);
        assertThat(signedIn.setCookie("SESSION")).contains("; Secure");
        assertThat(signedIn.all("set-cookie")).isNotEmpty().allMatch(c -> c.contains("; Secure"));

        RawHttp direct = RawHttp.to(port);
        assertThat(direct.get("/login?lang=da", tls).setCookie("tilldela-lang")).doesNotContain("Secure");
        assertThat(direct.signIn(user, PASSWORD, tls).setCookie("SESSION")).isNotNull().doesNotContain("Secure");
    }

    @Test
    void everyResponseForbidsReferrersAndPowerfulFeatures() {
        RawHttp signedIn = RawHttp.to(port);
        signedIn.signIn(user, PASSWORD);
        List<RawHttp.Response> responses = List.of(
                RawHttp.to(port).get("/login"),
                RawHttp.to(port).get("/directory"),
                RawHttp.to(port).get("/api/v1/organisations"),
                RawHttp.to(port).get("/api/v1/organisations", RawHttp.basic(user, PASSWORD)),
                RawHttp.to(port).get("/api/v1/supplier/data-access-requests"),
                RawHttp.to(port).get("/actuator/health"),
                signedIn.get("/directory"),
                signedIn.get("/no-such-page"));
        assertThat(responses).extracting(RawHttp.Response::status).containsExactly(200, 302, 401, 200, 401, 200, 200, 404);
        for (RawHttp.Response r : responses) {
            assertThat(r.header("Referrer-Policy")).isEqualTo("same-origin");
            assertThat(r.header("Permissions-Policy")).contains("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()");
        }
    }
}
