package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;
import upstream.UpstreamIdentityProvider;

/**
 * What a municipality's provider that hangs, or two administrators at once, do to the upstream federation.
 * The provider is Spring's authorization server ({@link UpstreamIdentityProvider}) whose discovery document
 * names as its token endpoint a socket that accepts connections and never answers — a hung provider, for the
 * timeouts ({@code tilldela.sso.upstream-timeout}, 3s in tests); the sign-in must end on the failure page
 * within the timeout, not hold its thread. The shared fixture's organiser gets a provider only for the
 * length of a test.
 */
class UpstreamProviderFailuresTest extends SignInTestSupport {

    static final String ADMIN_PASSWORD = "a long administrator password";
    static final String UPSTREAM_SECRET = "kommunens-hemlighet-" + UUID.randomUUID();

    /** Accepts connections (the kernel's backlog does) and never reads or answers. */
    static ServerSocket silent;
    static ConfigurableApplicationContext upstreamContext;
    static UpstreamIdentityProvider upstream;
    static String directoryAdmin;

    @Autowired
    AdminAccounts admins;
    @Autowired
    DataSource dataSource;
    @Value("${tilldela.sso.upstream-timeout}")
    Duration timeout;

    @BeforeEach
    void hungProvider() throws Exception {
        if (upstreamContext != null) {
            return;
        }
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        upstreamContext = UpstreamIdentityProvider.start("http://127.0.0.1:" + silent.getLocalPort() + "/token");
        upstream = upstreamContext.getBean(UpstreamIdentityProvider.class);
        directoryAdmin = "katalog-" + UUID.randomUUID().toString().substring(0, 8);
        admins.create(directoryAdmin, "Skoladministratör", ADMIN_PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN, AdminRight.ACCOUNT_ADMIN), "test");
    }

    @AfterAll
    static void stop() throws Exception {
        if (upstreamContext != null) {
            upstreamContext.close();
        }
        if (silent != null) {
            silent.close();
        }
    }

    RestClient api() {
        return RestClient.builder().baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(directoryAdmin, ADMIN_PASSWORD))
                .defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
                }).build();
    }

    Map<String, Object> settings(String issuer) {
        return Map.of("organiserId", fixture.organiserId, "issuer", issuer, "clientId", "tilldela", "clientSecret", UPSTREAM_SECRET,
                "matchClaim", "upn", "matchField", "EMAIL");
    }

    String issuer() {
        return UpstreamIdentityProvider.issuer(upstreamContext);
    }

    void removeProviders() {
        jdbc.sql("delete from sso_upstream_provider where organiser_id = :o").param("o", fixture.organiserId).update();
    }

    @Autowired
    org.tilldela.governance.AdminUpstreamAccounts bindings;

    /**
     * An administrator's binding names a subject at the provider's issuer, and a subject is unique only there: when the
     * provider is pointed at another issuer, or removed, the bindings end (audited), so the new issuer's subjects open
     * nobody's account by accident — or by design.
     */
    @Test
    void administratorsBindingsEndWhenTheProviderNamesAnotherIssuerOrIsRemoved() throws Exception {
        ConfigurableApplicationContext other = UpstreamIdentityProvider.start();
        String account = "bunden-" + UUID.randomUUID().toString().substring(0, 8);
        admins.create(account, "Bunden administratör", ADMIN_PASSWORD, EnumSet.noneOf(AdminRight.class), "test");
        try {
            ResponseEntity<Map> registered = api().post().uri("/api/v1/sso/upstream-providers").body(settings(issuer())).retrieve().toEntity(Map.class);
            assertThat(registered.getStatusCode().value()).as(String.valueOf(registered.getBody())).isEqualTo(201);
            String providerId = (String) registered.getBody().get("id");
            assertThat(bindings.bind(directoryAdmin, account, fixture.organiserId, "subject-at-the-first-issuer")).isTrue();

            // the same issuer, other scopes: the binding stays
            Map<String, Object> sameIssuer = new java.util.HashMap<>(settings(issuer()));
            sameIssuer.put("scopes", java.util.List.of("openid", "email"));
            assertThat(api().put().uri("/api/v1/sso/upstream-providers/" + providerId).body(sameIssuer).retrieve().toBodilessEntity().getStatusCode().value())
                    .isEqualTo(200);
            assertThat(boundSubject(account)).isEqualTo("subject-at-the-first-issuer");

            String otherIssuer = UpstreamIdentityProvider.issuer(other);
            assertThat(api().put().uri("/api/v1/sso/upstream-providers/" + providerId).body(settings(otherIssuer)).retrieve().toBodilessEntity()
                    .getStatusCode().value()).isEqualTo(200);
            assertThat(boundSubject(account)).as("ended with the issuer").isNull();
            assertThat(unbound(account, "ISSUER_CHANGED")).isEqualTo(1);

            assertThat(bindings.bind(directoryAdmin, account, fixture.organiserId, "subject-at-the-second-issuer")).isTrue();
            assertThat(api().delete().uri("/api/v1/sso/upstream-providers/" + providerId).retrieve().toBodilessEntity().getStatusCode().value())
                    .isEqualTo(204);
            assertThat(boundSubject(account)).as("ended with the provider").isNull();
            assertThat(unbound(account, "PROVIDER_REMOVED")).isEqualTo(1);
        } finally {
            removeProviders();
            other.close();
        }
    }

    private String boundSubject(String account) {
        return jdbc.sql("select upstream_subject from admin_account where username = :u").param("u", account).query(String.class).optional().orElse(null);
    }

    private int unbound(String account, String reason) {
        return jdbc.sql("select count(*) from audit_event where action = 'ADMIN_ACCOUNT_UPSTREAM_UNBOUND' and target_id = :u and detail->>'reason' = :r")
                .param("u", account).param("r", reason).query(Integer.class).single();
    }

    @Test
    void aTokenEndpointThatNeverAnswersEndsTheSignInOnTheFailurePageWithinTheTimeout() throws Exception {
        signInEndsOnTheFailurePageWithinTheTimeout(upstreamContext, "invalid_token_response");
    }

    /** The provider's keys at the socket that never answers: the ID token cannot be checked, and the sign-in ends all the same. */
    @Test
    void aJwkSetThatNeverAnswersEndsTheSignInOnTheFailurePageWithinTheTimeout() throws Exception {
        ConfigurableApplicationContext keysHung = UpstreamIdentityProvider.start(null, "http://127.0.0.1:" + silent.getLocalPort() + "/jwks");
        try {
            signInEndsOnTheFailurePageWithinTheTimeout(keysHung, "invalid_id_token");
        } finally {
            keysHung.close();
        }
    }

    /** Its userinfo endpoint (asked, as the scopes include profile and email) at the socket that never answers. */
    @Test
    void aUserinfoEndpointThatNeverAnswersEndsTheSignInOnTheFailurePageWithinTheTimeout() throws Exception {
        ConfigurableApplicationContext userInfoHung = UpstreamIdentityProvider.start(null, null, "http://127.0.0.1:" + silent.getLocalPort() + "/userinfo");
        try {
            signInEndsOnTheFailurePageWithinTheTimeout(userInfoHung, "invalid_user_info_response");
        } finally {
            userInfoHung.close();
        }
    }

    private void signInEndsOnTheFailurePageWithinTheTimeout(ConfigurableApplicationContext provider, String errorCode) throws Exception {
        String issuer = UpstreamIdentityProvider.issuer(provider);
        UpstreamIdentityProvider idp = provider.getBean(UpstreamIdentityProvider.class);
        ResponseEntity<Map> registered = api().post().uri("/api/v1/sso/upstream-providers").body(settings(issuer)).retrieve().toEntity(Map.class);
        assertThat(registered.getStatusCode().value()).as(String.valueOf(registered.getBody())).isEqualTo(201);
        String providerId = (String) registered.getBody().get("id");
        try {
            idp.addClient("tilldela", UPSTREAM_SECRET, (String) registered.getBody().get("redirectUri"));
            String username = "u-" + UUID.randomUUID().toString().substring(0, 8);
            idp.addUser(username, Map.of("upn", "elev." + UUID.randomUUID().toString().substring(0, 8) + "@exempel-kommun.se"));

            URI authorize = location(get(URI.create(baseUrl() + "/sign-in/upstream/" + providerId)), baseUrl());
            assertThat(authorize.toString()).startsWith(issuer + "/oauth2/authorize");
            URI login = location(get(authorize), issuer);
            Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(get(login).body());
            assertThat(csrf.find()).isTrue();
            HttpResponse<String> signedIn = browser.send(HttpRequest.newBuilder(login).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("username=" + username + "&password="
                            + URLEncoder.encode(UpstreamIdentityProvider.PASSWORD, StandardCharsets.UTF_8) + "&_csrf="
                            + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
            URI callback = location(get(location(signedIn, issuer)), issuer);
            assertThat(callback.toString()).startsWith(baseUrl() + "/sign-in/upstream/" + providerId + "/callback?code=");

            // Tilldela now calls the provider where it never answers; without a timeout it would wait for ever
            long started = System.nanoTime();
            HttpResponse<String> back = browser.send(HttpRequest.newBuilder(callback).header("Accept", "text/html").timeout(timeout.multipliedBy(6)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(took).as("ends within the timeout (and some slack), not waiting on the provider").isLessThan(timeout.plusSeconds(10))
                    .as("it did wait on the provider").isGreaterThanOrEqualTo(timeout.minusMillis(500));
            URI refused = location(back, baseUrl());
            assertThat(refused.toString()).endsWith("/sign-in/upstream/" + providerId + "/refused?reason=failed");
            HttpResponse<String> page = get(URI.create(refused + "&lang=en"));
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("You could not be signed in");
            assertThat(jdbc.sql("select detail::text from audit_event where action = 'UPSTREAM_SIGN_IN_FAILED' and target_id = :t order by id")
                    .param("t", providerId).query(String.class).list()).singleElement().asString().contains(errorCode);
            assertThat(location(get(URI.create(baseUrl() + "/start")), baseUrl()).getPath()).isEqualTo("/sign-in");
        } finally {
            removeProviders();
        }
    }

    @Test
    void anIssuerWhoseDiscoveryNeverAnswersIsRefusedWithinTheTimeout() {
        long started = System.nanoTime();
        ResponseEntity<String> answer = api().post().uri("/api/v1/sso/upstream-providers").body(settings("http://127.0.0.1:" + silent.getLocalPort()))
                .retrieve().toEntity(String.class);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        try {
            assertThat(answer.getStatusCode().value()).isEqualTo(400);
            assertThat(answer.getBody()).contains("No OpenID provider answered discovery");
            assertThat(took).isLessThan(timeout.plusSeconds(10));
        } finally {
            removeProviders();
        }
    }

    /** An issuer inside the network that no operator listed (tilldela.sso.allowed-hosts) is refused without asking it. */
    @Test
    void anIssuerAtAnAddressNotAllowedIsRefusedInPlainWords() {
        ResponseEntity<String> answer = api().post().uri("/api/v1/sso/upstream-providers").body(settings("https://127.0.0.2:" + silent.getLocalPort()))
                .retrieve().toEntity(String.class);
        try {
            assertThat(answer.getStatusCode().value()).isEqualTo(400);
            assertThat(answer.getBody()).contains("127.0.0.2").contains("tilldela.sso.allowed-hosts");
        } finally {
            removeProviders();
        }
    }

    /** A redirect from an allowed issuer to an address not allowed is not followed: the address inside is never asked. */
    @Test
    void aRedirectToAnAddressNotAllowedIsNotFollowed() throws Exception {
        org.tilldela.CountingHttpServer inside = new org.tilldela.CountingHttpServer("127.0.0.2", 404);
        com.sun.net.httpserver.HttpServer issuer = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        issuer.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Location", inside.url("/.well-known/openid-configuration"));
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        issuer.start();
        try {
            ResponseEntity<String> answer = api().post().uri("/api/v1/sso/upstream-providers")
                    .body(settings("http://127.0.0.1:" + issuer.getAddress().getPort())).retrieve().toEntity(String.class);
            assertThat(answer.getStatusCode().value()).isEqualTo(400);
            assertThat(inside.asked()).isZero();
        } finally {
            removeProviders();
            issuer.stop(0);
            inside.close();
        }
    }

    /**
     * Two registrations for one organiser at the same moment: both find none registered, and the constraint of one
     * provider per organiser decides. Made deterministic by holding the first one's row uncommitted (as the first
     * administrator's transaction would) while the second is sent; the second is told so (409), not given a 500.
     * Then a change to a provider another administrator is removing at that moment: told it is gone (400).
     */
    @Test
    void aSecondRegistrationForAnOrganiserAtTheSameMomentIsAConflictAndAChangeToARemovedProviderIsRefused() throws Exception {
        UUID first = UUID.randomUUID();
        try (Connection other = dataSource.getConnection()) {
            other.setAutoCommit(false);
            try (var insert = other.prepareStatement("""
                    insert into sso_upstream_provider (id, organiser_id, issuer, client_id, client_secret, scopes, match_claim, match_field, registered_by)
                    values (?, ?, ?, 'tilldela', ?, 'openid', 'upn', 'EMAIL', 'test')""")) {
                insert.setObject(1, first);
                insert.setObject(2, fixture.organiserId);
                insert.setString(3, issuer());
                insert.setBytes(4, new byte[] {1, 2, 3});
                insert.executeUpdate();
            }
            CompletableFuture<ResponseEntity<String>> second = CompletableFuture.supplyAsync(() ->
                    api().post().uri("/api/v1/sso/upstream-providers").body(settings(issuer())).retrieve().toEntity(String.class));
            awaitWaitingOnALock(second);
            other.commit();
            ResponseEntity<String> answer = second.get(30, TimeUnit.SECONDS);
            assertThat(answer.getStatusCode().value()).as(answer.getBody()).isEqualTo(409);
            assertThat(answer.getBody()).contains("already has an identity provider");
            // one call after the other is told the same, before asking the issuer
            ResponseEntity<String> again = api().post().uri("/api/v1/sso/upstream-providers").body(settings(issuer())).retrieve().toEntity(String.class);
            assertThat(again.getStatusCode().value()).isEqualTo(409);
            assertThat(jdbc.sql("select count(*) from sso_upstream_provider where organiser_id = :o").param("o", fixture.organiserId)
                    .query(Integer.class).single()).isEqualTo(1);
            assertThat(jdbc.sql("select count(*) from audit_event where action = 'SSO_UPSTREAM_PROVIDER_REGISTERED' and detail->>'organiser' = :o")
                    .param("o", fixture.organiserId.toString()).query(Integer.class).single()).as("nothing registered, nothing audited").isZero();

            // a change while another administrator's removal of the same provider is under way
            try (var delete = other.prepareStatement("delete from sso_upstream_provider where id = ?")) {
                delete.setObject(1, first);
                delete.executeUpdate();
            }
            Map<String, Object> change = Map.of("issuer", issuer(), "clientId", "tilldela", "matchClaim", "email", "matchField", "EMAIL");
            CompletableFuture<ResponseEntity<String>> changed = CompletableFuture.supplyAsync(() ->
                    api().put().uri("/api/v1/sso/upstream-providers/" + first).body(change).retrieve().toEntity(String.class));
            awaitWaitingOnALock(changed);
            other.commit();
            ResponseEntity<String> changeAnswer = changed.get(30, TimeUnit.SECONDS);
            assertThat(changeAnswer.getStatusCode().value()).as(changeAnswer.getBody()).isEqualTo(400);
            assertThat(changeAnswer.getBody()).contains("No identity provider with that id");
            assertThat(jdbc.sql("select count(*) from audit_event where action = 'SSO_UPSTREAM_PROVIDER_CHANGED' and target_id = :t")
                    .param("t", first.toString()).query(Integer.class).single()).isZero();
        } finally {
            removeProviders();
        }
    }

    /** Until the request under way waits on the row the other transaction holds (or has answered already, which the assertions then show). */
    private void awaitWaitingOnALock(CompletableFuture<?> request) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!request.isDone() && System.nanoTime() < deadline) {
            if (jdbc.sql("select count(*) from pg_locks where not granted").query(Integer.class).single() > 0) {
                return;
            }
            Thread.sleep(20);
        }
    }
}
