package org.tilldela.governance.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.WebSession;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.SecondFactor;

/**
 * TOTP (RFC 6238) as the second factor of local administrator accounts: enrolment with a first code, sign-in
 * asking for the code after the password (nothing opens before it), a code accepted once only, the secret
 * encrypted at rest. The API's HTTP Basic door refuses the password alone of an account with a second factor (or one
 * required of it): such an account uses personal API tokens, created after the code, stored hashed, expiring, revocable.
 */
class SecondFactorTest extends IntegrationTest {

    private static final String PASSWORD = "second-factor-password";

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    SecondFactor secondFactor;
    @Autowired
    AuditTrail audit;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    org.tilldela.governance.ApiTokens apiTokens;
    @Autowired
    org.tilldela.governance.SignInThrottle throttle;

    private final TimeBasedOneTimePasswordGenerator totp = new TimeBasedOneTimePasswordGenerator();

    private String account(String prefix) {
        String name = prefix + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        accounts.create(name, "Test " + prefix, PASSWORD, Set.of(AdminRight.DIRECTORY_ADMIN), "test");
        return name;
    }

    private String code(String base32, Instant at) throws Exception {
        return totp.generateOneTimePasswordString(new SecretKeySpec(new Base32().decode(base32), totp.getAlgorithm()), at, Locale.ROOT);
    }

    private static String wrong(String code) {
        return String.format("%06d", (Integer.parseInt(code) + 1) % 1_000_000);
    }

    @Test
    void anEnrolledAccountSignsInWithItsCodeAfterThePasswordAndNothingOpensBefore() throws Exception {
        String name = account("totp");
        Instant now = Instant.now();
        SecondFactor.Offer offer = secondFactor.offer(name);
        assertThat(offer.uri()).startsWith("otpauth://totp/Tilldela%3A" + name + "?secret=" + offer.secret());
        // an offer not confirmed asks nothing at sign-in
        assertThat(secondFactor.enrolled(name)).isFalse();
        assertThat(secondFactor.confirm(name, wrong(code(offer.secret(), now)), "127.0.0.1", now)).isEqualTo(SecondFactor.Outcome.WRONG);
        assertThat(secondFactor.confirm(name, code(offer.secret(), now), "127.0.0.1", now)).isEqualTo(SecondFactor.Outcome.ACCEPTED);
        assertThat(secondFactor.enrolled(name)).isTrue();
        // encrypted at rest: the stored value is not the secret
        byte[] stored = jdbc.sql("select secret from admin_second_factor where username = :u").param("u", name).query(byte[].class).single();
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(offer.secret());

        WebSession web = new WebSession(port);
        WebSession.Answer login = web.post("/login", withCsrf(web, Map.of("username", name, "password", PASSWORD)));
        assertThat(login.location()).endsWith("/login/second-factor");
        // the password alone opens nothing
        assertThat(web.page("/directory").status()).isEqualTo(403);
        assertThat(web.page("/admin/accounts").status()).isEqualTo(403);
        assertThat(web.page("/account/second-factor").status()).isEqualTo(403);
        String page = web.page("/login/second-factor").body();
        assertThat(page).contains("autocomplete=\"one-time-code\"").doesNotContain(offer.secret());
        // no links to pages that do not open yet (they answer 403 until the code is given): only signing out
        assertThat(page).doesNotContain("href=\"/swagger-ui/index.html\"").doesNotContain("href=\"/account/password\"")
                .doesNotContain("href=\"/directory\"").contains("action=\"/logout\"");

        Map<String, String> fields = WebSession.hiddenFields(page, "/login/second-factor");
        fields.put("code", wrong(code(offer.secret(), Instant.now())));
        assertThat(web.post("/login/second-factor", fields).location()).endsWith("/login/second-factor?wrong");
        assertThat(web.page("/directory").status()).isEqualTo(403);
        assertThat(audit.about("admin_account", name).getFirst().action()).isEqualTo("SECOND_FACTOR_FAILED");

        // the code of the next step (the current one was used to enrol: a code counts once)
        String next = code(offer.secret(), Instant.now().plusSeconds(30));
        fields = WebSession.hiddenFields(web.page("/login/second-factor").body(), "/login/second-factor");
        fields.put("code", next);
        WebSession.Answer signedIn = web.post("/login/second-factor", fields);
        assertThat(signedIn.location()).endsWith("/");
        assertThat(web.page("/directory").status()).isEqualTo(200);
        assertThat(web.page("/directory").body()).as("the whole sign-in has the links").contains("href=\"/swagger-ui/index.html\"")
                .contains("href=\"/account/password\"");
        // signed in, the code page is not there to be used again
        assertThat(web.page("/login/second-factor").status()).isEqualTo(403);

        // the same code a second time, in another session: refused
        WebSession again = new WebSession(port);
        again.post("/login", withCsrf(again, Map.of("username", name, "password", PASSWORD)));
        fields = WebSession.hiddenFields(again.page("/login/second-factor").body(), "/login/second-factor");
        fields.put("code", next);
        assertThat(again.post("/login/second-factor", fields).location()).endsWith("?wrong");
        assertThat(again.page("/directory").status()).isEqualTo(403);

        // the API's HTTP Basic door cannot ask for the code: the password alone is refused there (a personal API token instead)
        int api = RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(name, PASSWORD)).build()
                .get().uri("/api/v1/organisations").exchange((req, res) -> res.getStatusCode().value());
        assertThat(api).isEqualTo(401);
        assertThat(audit.about("admin_account", name).getFirst().action()).isEqualTo("ADMIN_API_PASSWORD_REFUSED");
    }

    private int api(String path, java.util.function.Consumer<org.springframework.http.HttpHeaders> credentials) {
        return RestClient.builder().baseUrl(baseUrl()).defaultHeaders(credentials).build()
                .get().uri(path).exchange((req, res) -> res.getStatusCode().value());
    }

    @Test
    void anAccountRequiredToHaveASecondFactorSetsItUpFirstAndUsesTheApiWithTokensOnly() throws Exception {
        String name = account("required");
        String root = "accounts-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        accounts.create(root, "Accounts", PASSWORD, Set.of(AdminRight.ACCOUNT_ADMIN, AdminRight.DIRECTORY_ADMIN), "test");
        // before it is required: the password opens the API (no second factor to get round)
        assertThat(api("/api/v1/organisations", h -> h.setBasicAuth(name, PASSWORD))).isEqualTo(200);
        int required = RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(root, PASSWORD)).build()
                .put().uri("/api/v1/admin-accounts/" + name + "/second-factor-required").contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .body(Map.of("required", true)).exchange((req, res) -> res.getStatusCode().value());
        assertThat(required).isEqualTo(200);
        assertThat(audit.about("admin_account", name).getFirst()).satisfies(e -> {
            assertThat(e.action()).isEqualTo("ADMIN_SECOND_FACTOR_REQUIRED");
            assertThat(e.actor()).isEqualTo(root);
        });

        // the API: the right password alone is refused, audited
        assertThat(api("/api/v1/organisations", h -> h.setBasicAuth(name, PASSWORD))).isEqualTo(401);
        assertThat(audit.about("admin_account", name).getFirst().action()).isEqualTo("ADMIN_API_PASSWORD_REFUSED");

        // the web: sent to set it up before any admin page
        WebSession web = new WebSession(port);
        WebSession.Answer login = web.post("/login", withCsrf(web, Map.of("username", name, "password", PASSWORD)));
        assertThat(login.location()).endsWith("/login/second-factor");
        assertThat(web.page("/directory").status()).isEqualTo(403);
        assertThat(web.page("/account/api-tokens").status()).isEqualTo(403);
        String page = web.page("/login/second-factor?lang=en").body();
        Matcher secret = Pattern.compile("<code>([A-Z2-7]{32})</code>").matcher(page);
        assertThat(secret.find()).as("the enrolment QR code and key").isTrue();
        Map<String, String> fields = WebSession.hiddenFields(page, "/login/second-factor");
        fields.put("code", code(secret.group(1), Instant.now()));
        assertThat(web.post("/login/second-factor", fields).location()).endsWith("/");
        assertThat(secondFactor.enrolled(name)).isTrue();
        assertThat(web.page("/directory").status()).isEqualTo(200);

        // a personal API token, shown once
        String tokens = web.page("/account/api-tokens?lang=en").body();
        Map<String, String> create = WebSession.hiddenFields(tokens, "/account/api-tokens");
        create.put("name", "Nattlig export");
        create.put("days", "30");
        WebSession.Answer created = web.post("/account/api-tokens", create);
        assertThat(created.status()).isEqualTo(200);
        Matcher shown = Pattern.compile("<code class=\"api-token\">(tdl_[A-Za-z0-9_-]{43})</code>").matcher(created.body());
        assertThat(shown.find()).as(created.body()).isTrue();
        String token = shown.group(1);
        assertThat(web.page("/account/api-tokens").body()).contains("Nattlig export").doesNotContain(token);
        // kept as a fast hash of the token, never the token
        assertThat(jdbc.sql("select token_hash from admin_api_token where username = :u").param("u", name).query(String.class).single())
                .matches("[0-9a-f]{64}").doesNotContain(token);

        assertThat(api("/api/v1/organisations", h -> h.setBearerAuth(token))).isEqualTo(200);
        assertThat(audit.about("admin_account", name).getFirst()).satisfies(e -> {
            assertThat(e.action()).isEqualTo("ADMIN_API_TOKEN_USED");
            assertThat(e.detail()).contains("Nattlig export").contains("/api/v1/organisations").doesNotContain(token);
        });
        // a token carries the account's rights, no more
        assertThat(api("/api/v1/admin-accounts", h -> h.setBearerAuth(token))).isEqualTo(403);
        assertThat(api("/api/v1/organisations", h -> h.setBearerAuth(token.substring(0, token.length() - 2) + "xx"))).isEqualTo(401);
        assertThat(api("/api/v1/organisations", h -> h.setBasicAuth(name, PASSWORD))).as("the password still not").isEqualTo(401);

        // revoked: refused, audited by name
        long id = jdbc.sql("select id from admin_api_token where username = :u").param("u", name).query(Long.class).single();
        String revoke = "/account/api-tokens/" + id + "/revoke";
        WebSession.Answer revoked = web.post(revoke, WebSession.hiddenFields(web.page("/account/api-tokens").body(), revoke));
        assertThat(web.follow(revoked).body()).contains("The token has been revoked.");
        assertThat(api("/api/v1/organisations", h -> h.setBearerAuth(token))).isEqualTo(401);
        assertThat(audit.about("admin_account", name).getFirst()).satisfies(e -> {
            assertThat(e.action()).isEqualTo("ADMIN_API_TOKEN_REFUSED");
            assertThat(e.detail()).contains("REVOKED").contains("Nattlig export").doesNotContain(token);
        });

        // expired: refused
        String second = web.post("/account/api-tokens", create).body();
        Matcher again = Pattern.compile("<code class=\"api-token\">(tdl_[A-Za-z0-9_-]{43})</code>").matcher(second);
        assertThat(again.find()).isTrue();
        assertThat(api("/api/v1/organisations", h -> h.setBearerAuth(again.group(1)))).isEqualTo(200);
        jdbc.sql("update admin_api_token set expires_at = now() - interval '1 minute' where username = :u and revoked_at is null").param("u", name).update();
        assertThat(api("/api/v1/organisations", h -> h.setBearerAuth(again.group(1)))).isEqualTo(401);
        assertThat(audit.about("admin_account", name).getFirst().detail()).contains("EXPIRED");

        // the password changed (it may be known to someone who made a token with it): the account's tokens go with it
        String third = web.post("/account/api-tokens", create).body();
        Matcher live = Pattern.compile("<code class=\"api-token\">(tdl_[A-Za-z0-9_-]{43})</code>").matcher(third);
        assertThat(live.find()).isTrue();
        assertThat(api("/api/v1/organisations", h -> h.setBearerAuth(live.group(1)))).isEqualTo(200);
        assertThat(accounts.changeOwnPassword(name, PASSWORD, PASSWORD + "-ny-2026", "127.0.0.1").outcome())
                .isEqualTo(AdminAccounts.PasswordChange.Outcome.CHANGED);
        assertThat(api("/api/v1/organisations", h -> h.setBearerAuth(live.group(1)))).isEqualTo(401);
        assertThat(audit.about("admin_account", name)).filteredOn(e -> e.action().equals("ADMIN_PASSWORD_CHANGED")).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("\"apiTokensRevoked\": 1"));
    }

    @Test
    void anAdministratorEnrolsOnTheAccountPageWithTheQrCode() throws Exception {
        String name = account("enrol");
        // a session signed in elsewhere with the password alone (by whoever else knows it, perhaps)
        WebSession elsewhere = new WebSession(port).signIn(name, PASSWORD);
        assertThat(elsewhere.page("/account/api-tokens").status()).isEqualTo(200);
        WebSession web = new WebSession(port).signIn(name, PASSWORD);
        String page = web.page("/account/second-factor?lang=en").body();
        assertThat(page).contains("<svg").contains("QR code for your authenticator app");
        Matcher secret = Pattern.compile("<code>([A-Z2-7]{32})</code>").matcher(page);
        assertThat(secret.find()).isTrue();
        // the page shown again offers the same secret, until confirmed
        assertThat(web.page("/account/second-factor").body()).contains(secret.group(1));

        Map<String, String> fields = WebSession.hiddenFields(page, "/account/second-factor");
        fields.put("code", code(secret.group(1), Instant.now()));
        assertThat(web.post("/account/second-factor", fields).location()).endsWith("/account/second-factor?enrolled");
        assertThat(secondFactor.enrolled(name)).isTrue();
        assertThat(web.page("/account/second-factor?lang=en").body()).contains("Your account has a second factor").doesNotContain(secret.group(1));
        assertThat(audit.about("admin_account", name)).extracting(AuditTrail.Entry::action).contains("ADMIN_SECOND_FACTOR_ENROLLED");
        // the other session ends with the password-only sign-in it was: it cannot go on to make a personal API token (which
        // stands for password and second factor); the session that showed the code goes on, and can
        WebSession.Answer ended = elsewhere.page("/account/api-tokens");
        assertThat(ended.status()).isEqualTo(302);
        assertThat(ended.location()).endsWith("/login");
        String tokens = web.page("/account/api-tokens").body();
        Map<String, String> create = WebSession.hiddenFields(tokens, "/account/api-tokens");
        create.put("name", "Skript");
        assertThat(web.post("/account/api-tokens", create).body()).contains("tdl_");
    }

    @Test
    void anAccountAdministratorSeesALockedOutAccountAndLiftsTheLockout() throws Exception {
        String name = account("locked");
        String admin = "accounts-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        accounts.create(admin, "Accounts", PASSWORD, Set.of(AdminRight.ACCOUNT_ADMIN, AdminRight.DIRECTORY_ADMIN), "test");
        WebSession web = new WebSession(port).signIn(admin, PASSWORD);
        assertThat(web.page("/admin/accounts/" + name + "?lang=en").body()).doesNotContain("Sign-in is locked out");
        // someone guesses at its second factor's codes (the throttle's key for them) until it locks
        for (int i = 0; i < throttle.limits().maxFailuresPerAccount(); i++) {
            throttle.failed((org.tilldela.governance.SignInThrottle.Admitted) throttle.admit(
                    org.tilldela.governance.SignInThrottle.ADMIN_SECOND_FACTOR + name, "192.0.2." + (i + 1)));
        }
        String page = web.page("/admin/accounts/" + name + "?lang=en").body();
        assertThat(page).contains("Sign-in is locked out until");
        String lift = "/admin/accounts/" + name + "/lockout/lift";
        WebSession.Answer lifted = web.post(lift, WebSession.hiddenFields(page, lift));
        assertThat(web.follow(lifted).body()).contains("The lockout is lifted").doesNotContain("Sign-in is locked out until");
        assertThat(accounts.lockedOutUntil(name)).isEmpty();
        assertThat(audit.about("admin_account", name).getFirst().action()).isEqualTo("ADMIN_SIGN_IN_LOCKOUT_LIFTED");
        // the API does the same, and shows when an account is locked out
        for (int i = 0; i < throttle.limits().maxFailuresPerAccount(); i++) {
            throttle.failed((org.tilldela.governance.SignInThrottle.Admitted) throttle.admit(
                    org.tilldela.governance.SignInThrottle.ADMIN_PASSWORD + name, "192.0.2." + (i + 1)));
        }
        RestClient asAdmin = RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(admin, PASSWORD)).build();
        assertThat(asAdmin.get().uri("/api/v1/admin-accounts/" + name).retrieve().body(String.class)).contains("\"lockedOutUntil\":\"");
        // lifted once per lockout period: lifted again and again, the lockout would not slow a guesser down
        int again = asAdmin.post().uri("/api/v1/admin-accounts/" + name + "/lockout/lift").exchange((req, res) -> res.getStatusCode().value());
        assertThat(again).isEqualTo(400);
        assertThat(accounts.lockedOutUntil(name)).isPresent();
        // another account's lockout is lifted through the API (audited as on the page)
        String other = account("locked-api");
        for (int i = 0; i < throttle.limits().maxFailuresPerAccount(); i++) {
            throttle.failed((org.tilldela.governance.SignInThrottle.Admitted) throttle.admit(
                    org.tilldela.governance.SignInThrottle.ADMIN_PASSWORD + other, "192.0.2." + (i + 1)));
        }
        assertThat(asAdmin.post().uri("/api/v1/admin-accounts/" + other + "/lockout/lift").retrieve().body(String.class))
                .contains("\"lockedOutUntil\":null");
        assertThat(audit.about("admin_account", other).getFirst().action()).isEqualTo("ADMIN_SIGN_IN_LOCKOUT_LIFTED");
        int own = asAdmin.post().uri("/api/v1/admin-accounts/" + admin + "/lockout/lift").exchange((req, res) -> res.getStatusCode().value());
        assertThat(own).as("not one's own").isEqualTo(400);
        jdbc.sql("delete from sign_in_throttle where kind = 'ADDRESS' and subject like '192.0.2.%'").update();
    }

    @Test
    void anAccountAdministratorRemovesALostSecondFactor() throws Exception {
        String name = account("lost");
        SecondFactor.Offer offer = secondFactor.offer(name);
        secondFactor.confirm(name, code(offer.secret(), Instant.now()), "127.0.0.1", Instant.now());
        String admin = "accounts-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        accounts.create(admin, "Accounts", PASSWORD, Set.of(AdminRight.ACCOUNT_ADMIN, AdminRight.DIRECTORY_ADMIN), "test");

        // an API token made behind that factor
        String token = apiTokens.create(name, "Laptop-skript", 30).value();
        assertThat(api("/api/v1/organisations", h -> h.setBearerAuth(token))).isEqualTo(200);

        WebSession web = new WebSession(port).signIn(admin, PASSWORD);
        String page = web.page("/admin/accounts/" + name + "?lang=en").body();
        assertThat(page).contains("Second factor: set up");
        String remove = "/admin/accounts/" + name + "/second-factor/remove";
        assertThat(web.post(remove, WebSession.hiddenFields(page, remove)).status()).isEqualTo(302);
        assertThat(secondFactor.enrolled(name)).isFalse();
        assertThat(audit.about("admin_account", name).getFirst()).satisfies(e -> {
            assertThat(e.action()).isEqualTo("ADMIN_SECOND_FACTOR_REMOVED");
            assertThat(e.actor()).isEqualTo(admin);
            assertThat(e.detail()).contains("\"apiTokensRevoked\": 1");
        });
        // the token went with the factor (a lost phone, a laptop taken with the token on it)
        assertThat(api("/api/v1/organisations", h -> h.setBearerAuth(token))).isEqualTo(401);
        // and a bearer value that is not one of Tilldela's tokens at all is refused without a row in the audit trail
        int before = jdbc.sql("select count(*) from audit_event where action = 'ADMIN_API_TOKEN_REFUSED'").query(Integer.class).single();
        assertThat(api("/api/v1/organisations", h -> h.setBearerAuth("not-a-tilldela-token"))).isEqualTo(401);
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'ADMIN_API_TOKEN_REFUSED'").query(Integer.class).single()).isEqualTo(before);
        // made-up tokens of the right form: the first few from an address are recorded, not each of a flood, and they
        // do not count against the address's password sign-ins
        jdbc.sql("delete from sign_in_throttle where kind = 'UNKNOWN_TOKEN'").update();
        int max = throttle.limits().maxFailuresPerAccount();
        for (int i = 0; i < max + 4; i++) {
            String madeUp = "tdl_" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]).substring(0, 42) + (char) ('a' + i);
            assertThat(madeUp).hasSameSizeAs(token);
            assertThat(api("/api/v1/organisations", h -> h.setBearerAuth(madeUp))).isEqualTo(401);
        }
        List<AuditTrail.Entry> unknown = audit.about("admin_api_token", "unknown").stream()
                .filter(e -> e.action().equals("ADMIN_API_TOKEN_REFUSED")).toList();
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'ADMIN_API_TOKEN_REFUSED'").query(Integer.class).single())
                .as("only the first %d recorded", max).isEqualTo(before + max);
        assertThat(unknown.getFirst().detail()).as("the last one recorded says until when the rest go unrecorded").contains("unrecordedUntil");
        // signs in with the password alone again
        assertThat(new WebSession(port).signIn(name, PASSWORD).page("/directory").status()).isEqualTo(200);
        // nobody removes their own (a stolen session could otherwise drop it)
        SecondFactor.Offer own = secondFactor.offer(admin);
        secondFactor.confirm(admin, code(own.secret(), Instant.now()), "127.0.0.1", Instant.now());
        String ownPage = web.page("/admin/accounts/" + admin).body();
        assertThat(ownPage).doesNotContain("/admin/accounts/" + admin + "/second-factor/remove");
        assertThat(web.post("/admin/accounts/" + admin + "/second-factor/remove", WebSession.hiddenFields(page, remove)).status()).isEqualTo(302);
        assertThat(secondFactor.enrolled(admin)).isTrue();
    }

    private static Map<String, String> withCsrf(WebSession web, Map<String, String> fields) {
        Map<String, String> all = WebSession.hiddenFields(web.get("/login").body(), "/login");
        all.putAll(fields);
        return all;
    }
}
