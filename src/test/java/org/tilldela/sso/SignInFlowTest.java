package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.access.AccessFixture;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.licensing.LicencePools;

/**
 * A pupil signs in to a product through the provider, driven end to end by an independent relying party
 * (Nimbus OAuth 2.0 / OpenID Connect SDK): discovery, authorization code with PKCE (S256), state and nonce,
 * the ID token validated against the published keys, userinfo, refresh with rotation. What the product
 * learns is what the release policy allowed, under a pairwise pseudonym, and the ledger recorded it.
 */
class SignInFlowTest extends SignInTestSupport {
    @Test
    void aLicensedPupilSignsInAndTheProductLearnsWhatThePolicyAllowsUnderAPseudonym() throws Exception {
        UUID pupil = fixture.persons.get(0);
        String username = "elev-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.setPassword(pupil, username, PASSWORD, "test");
        SignInClients.Registration client = clients.register(fixture.productId, "Digital matematik", List.of(REDIRECT), true, "test");

        State state = new State();
        Nonce nonce = new Nonce();
        CodeVerifier verifier = new CodeVerifier();
        URI authorize = new AuthenticationRequest.Builder(new ResponseType("code"), new Scope("openid"), new ClientID(client.clientId()), URI.create(REDIRECT))
                .endpointURI(op.getAuthorizationEndpointURI()).state(state).nonce(nonce).codeChallenge(verifier, CodeChallengeMethod.S256)
                .build().toURI();

        URI callback = signInThrough(authorize, username);
        assertThat(lastNotice).as("the first sign-in shows what the school shares and why").contains("Digital matematik")
                .contains("Pseudonymous id").contains("School unit").doesNotContain("Civic number");
        AuthorizationResponse response = AuthorizationResponse.parse(callback);
        assertThat(response.indicatesSuccess()).as(callback.toString()).isTrue();
        assertThat(response.getState()).isEqualTo(state);
        AuthorizationCode code = response.toSuccessResponse().getAuthorizationCode();

        ClientSecretBasic auth = new ClientSecretBasic(new ClientID(client.clientId()), new Secret(client.clientSecret()));
        TokenResponse tokens = OIDCTokenResponseParser.parse(new TokenRequest(op.getTokenEndpointURI(), auth,
                new AuthorizationCodeGrant(code, URI.create(REDIRECT), verifier)).toHTTPRequest().send());
        assertThat(tokens.indicatesSuccess()).as(() -> tokens.toErrorResponse().getErrorObject().toString()).isTrue();
        OIDCTokenResponse ok = (OIDCTokenResponse) tokens.toSuccessResponse();

        IDTokenValidator validator = new IDTokenValidator(op.getIssuer(), new ClientID(client.clientId()), JWSAlgorithm.RS256,
                op.getJWKSetURI().toURL());
        IDTokenClaimsSet id = validator.validate(ok.getOIDCTokens().getIDToken(), nonce);
        String sub = id.getSubject().getValue();
        assertThat(java.time.Duration.between(id.getIssueTime().toInstant(), id.getExpirationTime().toInstant()))
                .as("tilldela.sso.id-token-ttl, which the signing keys' retirement counts on").isEqualTo(java.time.Duration.ofMinutes(10));
        assertThat(sub).isNotEqualTo(pupil.toString());
        JWTClaimsSet claims = ok.getOIDCTokens().getIDToken().getJWTClaimsSet();
        // no agreement in force: MINIMAL as far as the declaration allows — school unit, groups, roles; no name, no civic number
        assertThat(claims.getClaims()).containsKeys("school_unit", "groups", "roles").doesNotContainKeys("given_name", "family_name", "civic_number", "email");

        assertThat(jdbc.sql("select count(*) from disclosure where person_id = :p and product_id = :product and channel = 'SSO_ID_TOKEN'")
                .param("p", pupil).param("product", fixture.productId).query(Integer.class).single()).isEqualTo(1);

        UserInfoResponse userInfo = UserInfoResponse.parse(new UserInfoRequest(op.getUserInfoEndpointURI(), ok.getOIDCTokens().getBearerAccessToken())
                .toHTTPRequest().send());
        assertThat(userInfo.indicatesSuccess()).as(() -> userInfo.toErrorResponse().getErrorObject().toJSONObject().toString()).isTrue();
        assertThat(userInfo.toSuccessResponse().getUserInfo().getSubject().getValue()).isEqualTo(sub);

        // refresh rotates: the new refresh token works, the old one is spent
        RefreshToken first = ok.getOIDCTokens().getRefreshToken();
        TokenResponse refreshed = OIDCTokenResponseParser.parse(new TokenRequest(op.getTokenEndpointURI(), auth, new RefreshTokenGrant(first))
                .toHTTPRequest().send());
        assertThat(refreshed.indicatesSuccess()).isTrue();
        assertThat(refreshed.toSuccessResponse().getTokens().getRefreshToken()).isNotEqualTo(first);
        TokenResponse replayed = OIDCTokenResponseParser.parse(new TokenRequest(op.getTokenEndpointURI(), auth, new RefreshTokenGrant(first))
                .toHTTPRequest().send());
        assertThat(replayed.indicatesSuccess()).isFalse();
        assertThat(replayed.toErrorResponse().getErrorObject().getCode()).isEqualTo("invalid_grant");
    }

    @Test
    void twoSuppliersGetDifferentSubjectsForOnePupil() throws Exception {
        UUID pupil = fixture.persons.get(1);
        String username = "elev-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.setPassword(pupil, username, PASSWORD, "test");
        UUID otherSupplier = fixture.supplier("Annan förlag " + UUID.randomUUID().toString().substring(0, 6), true);
        UUID otherProduct = fixture.product(otherSupplier, Set.of(org.tilldela.catalog.Attribute.PSEUDONYMOUS_ID, org.tilldela.catalog.Attribute.SCHOOL_UNIT));
        fixture.license(otherProduct, List.of(pupil));

        String subA = subjectAfterSignIn(fixture.productId, username);
        String subB = subjectAfterSignIn(otherProduct, username);
        assertThat(subA).isNotEqualTo(subB).isNotEqualTo(pupil.toString());
    }

    @Test
    void withoutALicenceThePupilSeesWhyAndTheProductGetsAccessDenied() throws Exception {
        UUID pupil = fixture.persons.get(2);
        String username = "elev-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.setPassword(pupil, username, PASSWORD, "test");
        UUID unlicensed = fixture.product(fixture.supplierId, Set.of(org.tilldela.catalog.Attribute.PSEUDONYMOUS_ID));
        SignInClients.Registration client = clients.register(unlicensed, "Fysik", List.of(REDIRECT), true, "test");
        State state = new State();
        URI authorize = new AuthenticationRequest.Builder(new ResponseType("code"), new Scope("openid"), new ClientID(client.clientId()), URI.create(REDIRECT))
                .endpointURI(op.getAuthorizationEndpointURI()).state(state).nonce(new Nonce()).codeChallenge(new CodeVerifier(), CodeChallengeMethod.S256)
                .build().toURI();

        URI page = signInThrough(authorize, username);
        assertThat(page.getPath()).isEqualTo("/start/no-licence");
        HttpResponse<String> shown = get(page);
        assertThat(shown.body()).contains("Digital matematik").contains("licen");
        Matcher back = Pattern.compile("href=\"(https://matematik\\.example/callback[^\"]*)\"").matcher(shown.body());
        assertThat(back.find()).isTrue();
        AuthorizationResponse denied = AuthorizationResponse.parse(URI.create(back.group(1).replace("&amp;", "&")));
        assertThat(denied.indicatesSuccess()).isFalse();
        assertThat(denied.toErrorResponse().getErrorObject().getCode()).isEqualTo("access_denied");
        assertThat(denied.getState()).isEqualTo(state);
        assertThat(jdbc.sql("select count(*) from disclosure where person_id = :p and product_id = :product").param("p", pupil)
                .param("product", unlicensed).query(Integer.class).single()).isZero();
    }

    @Test
    void aStrangerOpeningTheSignInPageOrAnAuthorizationLinkLeavesNoSessionRow() throws Exception {
        long start = System.currentTimeMillis();
        SignInClients.Registration client = clients.register(fixture.productId, "Digital matematik", List.of(REDIRECT), true, "test");
        URI authorize = new AuthenticationRequest.Builder(new ResponseType("code"), new Scope("openid"), new ClientID(client.clientId()), URI.create(REDIRECT))
                .endpointURI(op.getAuthorizationEndpointURI()).state(new State()).nonce(new Nonce()).codeChallenge(new CodeVerifier(), CodeChallengeMethod.S256)
                .build().toURI();
        for (int i = 0; i < 3; i++) {
            HttpClient stranger = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
            assertThat(stranger.send(HttpRequest.newBuilder(authorize).header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(302);
            assertThat(stranger.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/sign-in")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(200);
        }
        assertThat(jdbc.sql("select count(*) from spring_session where creation_time >= :start").param("start", start).query(Long.class).single())
                .isZero();
    }

    @Test
    void aDirectoryAdministratorSetsAPupilsPasswordOverTheApiAndThePupilSignsInWithIt(
            @Autowired org.tilldela.governance.AdminAccounts admins) throws Exception {
        String admin = "katalog-" + UUID.randomUUID().toString().substring(0, 8);
        String buyer = "inkop-" + UUID.randomUUID().toString().substring(0, 8);
        admins.create(admin, "Skoladministratör", "a long administrator password", java.util.EnumSet.of(org.tilldela.governance.AdminRight.DIRECTORY_ADMIN), "test");
        admins.create(buyer, "Inköpare", "a long administrator password", java.util.EnumSet.of(org.tilldela.governance.AdminRight.BUYER), "test");
        UUID pupil = fixture.persons.get(7);
        String username = "elev-" + UUID.randomUUID().toString().substring(0, 8);
        java.util.function.BiFunction<String, java.util.Map<String, String>, Integer> put = (who, body) -> org.springframework.web.client.RestClient.builder()
                .baseUrl(baseUrl()).defaultHeaders(h -> h.setBasicAuth(who, "a long administrator password"))
                .defaultStatusHandler(org.springframework.http.HttpStatusCode::isError, (rq, rs) -> {
                }).build().put().uri("/api/v1/sso/persons/{id}/account", pupil).body(body).retrieve().toBodilessEntity().getStatusCode().value();

        assertThat(put.apply(buyer, java.util.Map.of("username", username, "password", PASSWORD))).isEqualTo(403);
        assertThat(put.apply(admin, java.util.Map.of("username", username, "password", "kort"))).isEqualTo(400);
        assertThat(put.apply(admin, java.util.Map.of("username", username, "password", PASSWORD))).isEqualTo(204);
        assertThat(jdbc.sql("select password_hash from sso_person_account where person_id = :p").param("p", pupil).query(String.class).single())
                .startsWith("$argon2id$").doesNotContain(PASSWORD);

        SignInClients.Registration client = clients.register(fixture.productId, "Digital matematik", List.of(REDIRECT), true, "test");
        URI authorize = new AuthenticationRequest.Builder(new ResponseType("code"), new Scope("openid"), new ClientID(client.clientId()), URI.create(REDIRECT))
                .endpointURI(op.getAuthorizationEndpointURI()).state(new State()).nonce(new Nonce()).codeChallenge(new CodeVerifier(), CodeChallengeMethod.S256)
                .build().toURI();
        assertThat(AuthorizationResponse.parse(signInThrough(authorize, username)).indicatesSuccess()).isTrue();
    }

    @Test
    void bruteForceAgainstAPupilsAccountIsSlowedThenLockedOutAndAudited() throws Exception {
        UUID pupil = fixture.persons.get(9);
        String username = "elev-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.setPassword(pupil, username, PASSWORD, "test");
        try {
            long started = System.nanoTime();
            for (int i = 0; i < 4; i++) {
                assertThat(postSignIn(newBrowser(), username, "fel lösenord " + i).headers().firstValue("Location").orElse("")).endsWith("/sign-in?error");
            }
            assertThat(postSignIn(newBrowser(), username, "fel lösenord 4").headers().firstValue("Location").orElse("")).as("the fifth failure locks")
                    .endsWith("/sign-in?locked");
            assertThat(System.nanoTime() - started).as("failed answers are held back").isGreaterThan(java.time.Duration.ofMillis(1000).toNanos());
            assertThat(postSignIn(newBrowser(), username, PASSWORD).headers().firstValue("Location").orElse(""))
                    .as("the right password during the lockout").endsWith("/sign-in?locked");
            assertThat(jdbc.sql("select count(*) from audit_event where action = 'SIGN_IN_FAILED' and target_type = 'person_account' and target_id = :t")
                    .param("t", "person:" + username).query(Integer.class).single()).isEqualTo(6);
            assertThat(jdbc.sql("select count(*) from audit_event where detail::text like :p").param("p", "%fel lösenord%").query(Integer.class).single())
                    .as("never the password typed").isZero();
        } finally {
            // the shared test server's own address must not stay counted against
            jdbc.sql("delete from sign_in_throttle where kind = 'ADDRESS' and subject in ('127.0.0.1', '0:0:0:0:0:0:0:0/64')").update();
        }
    }

    @Test
    void theNoticeIsShownAtTheFirstSignInToAProductOnly() throws Exception {
        UUID pupil = fixture.persons.get(11);
        String username = "elev-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.setPassword(pupil, username, PASSWORD, "test");
        SignInClients.Registration client = clients.register(fixture.productId, "Digital matematik", List.of(REDIRECT), true, "test");
        java.util.function.Supplier<URI> authorize = () -> new AuthenticationRequest.Builder(new ResponseType("code"), new Scope("openid"),
                new ClientID(client.clientId()), URI.create(REDIRECT)).endpointURI(op.getAuthorizationEndpointURI()).state(new State())
                .nonce(new Nonce()).codeChallenge(new CodeVerifier(), CodeChallengeMethod.S256).build().toURI();

        lastNotice = null;
        assertThat(AuthorizationResponse.parse(signInThrough(authorize.get(), username)).indicatesSuccess()).isTrue();
        assertThat(lastNotice).contains("Before you open Digital matematik").contains("you are not asked to agree")
                .contains("No data-access agreement yet").doesNotContain("MINIMAL as declared");

        browser = newBrowser(); // another day, another browser
        lastNotice = null;
        assertThat(AuthorizationResponse.parse(signInThrough(authorize.get(), username)).indicatesSuccess()).isTrue();
        assertThat(lastNotice).as("seen once per product").isNull();
        // the notice page asked for a client that is no product's (made up, or removed meanwhile): not found, not a server error
        assertThat(get(URI.create(baseUrl() + FirstSignInNotice.PATH + "?client_id=no-such-client&state=x")).statusCode()).isEqualTo(404);
    }

    @Test
    void aSignInCountsAsUsageOfTheProductAndARefreshDoesNot() throws Exception {
        UUID pupil = fixture.persons.get(5);
        // other tests sign the same fixture pupils in today: count from what is there
        java.util.function.IntSupplier signInsToday = () -> jdbc.sql(
                        "select coalesce(sum(sign_ins), 0)::int from usage_day where person_id = :p and product_id = :product and day = current_date")
                .param("p", pupil).param("product", fixture.productId).query(Integer.class).single();
        int before = signInsToday.getAsInt();
        SignedIn signedIn = signIn(pupil);
        assertThat(refresh(signedIn, signedIn.tokens().getOIDCTokens().getRefreshToken()).indicatesSuccess()).isTrue();
        assertThat(signInsToday.getAsInt()).as("one code redeemed, one refresh").isEqualTo(before + 1);
        assertThat(jdbc.sql("select last_sign_in_at is not null from usage_day where person_id = :p and product_id = :product and day = current_date")
                .param("p", pupil).param("product", fixture.productId).query(Boolean.class).single()).isTrue();

        signIn(pupil);
        assertThat(signInsToday.getAsInt()).isEqualTo(before + 2);
    }

    @Test
    void aReusedRefreshTokenRevokesItsWholeFamily() throws Exception {
        SignedIn signedIn = signIn(fixture.persons.get(3));
        RefreshToken first = signedIn.tokens().getOIDCTokens().getRefreshToken();
        RefreshToken second = refresh(signedIn, first).toSuccessResponse().getTokens().getRefreshToken();

        assertThat(refresh(signedIn, first).indicatesSuccess()).as("the spent token").isFalse();
        TokenResponse afterReuse = refresh(signedIn, second);
        assertThat(afterReuse.indicatesSuccess()).as("its successor, revoked with the family").isFalse();
        assertThat(afterReuse.toErrorResponse().getErrorObject().getCode()).isEqualTo("invalid_grant");
    }

    /**
     * More concurrent refreshes than the pool has connections (10): the authorization server's row mapper looks
     * up the client while holding the connection it reads on, which outside a transaction took a second one,
     * and every request waited for the pool's 30 s timeout (found by the sign-in benchmark).
     */
    @Test
    void moreConcurrentRefreshesThanPooledConnectionsAllSucceedPromptly() throws Exception {
        int n = 16;
        List<SignedIn> families = new java.util.ArrayList<>();
        // one account, signed in 16 times (a new password each time would end the earlier sign-ins)
        String username = "elev-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.setPassword(fixture.persons.get(7), username, PASSWORD, "test");
        for (int i = 0; i < n; i++) {
            families.add(signIn(username));
        }
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(n);
        long start = System.nanoTime();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(n)) {
            List<java.util.concurrent.Future<TokenResponse>> answers = new java.util.ArrayList<>();
            for (SignedIn family : families) {
                answers.add(pool.submit(() -> {
                    together.await();
                    return refresh(family, family.tokens().getOIDCTokens().getRefreshToken());
                }));
            }
            for (var answer : answers) {
                assertThat(answer.get().indicatesSuccess()).isTrue();
            }
        }
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).as("no request waited for the pool's timeout")
                .isLessThan(java.time.Duration.ofSeconds(20));
    }

    @Test
    void anObjectionRecordedAfterSignInMakesTheNextRefreshFail() throws Exception {
        UUID pupil = fixture.persons.get(4);
        SignedIn signedIn = signIn(pupil);
        RefreshToken token = signedIn.tokens().getOIDCTokens().getRefreshToken();
        objections.record(pupil, fixture.supplierId, "Vårdnadshavare invänder", "test");

        TokenResponse refreshed = refresh(signedIn, token);
        assertThat(refreshed.indicatesSuccess()).isFalse();
        assertThat(refreshed.toErrorResponse().getErrorObject().getCode()).isEqualTo("invalid_grant");
    }

    @Test
    void aProtectedPupilYieldsMinimalClaimsEvenUnderAnAgreementWithNames() throws Exception {
        UUID approved = agreements.file(fixture.supplierId, fixture.request(org.tilldela.access.AttributePackage.SMALL), "test").id();
        agreements.approve(approved, Set.of(), null, "test");
        try {
            JWTClaimsSet named = signIn(fixture.persons.get(5)).tokens().getOIDCTokens().getIDToken().getJWTClaimsSet();
            assertThat(named.getClaims()).containsKeys("given_name", "family_name");
            assertThat(fixture.protectedPersons).isNotEmpty();
            JWTClaimsSet masked = signIn(fixture.protectedPersons.get(0)).tokens().getOIDCTokens().getIDToken().getJWTClaimsSet();
            assertThat(masked.getClaims()).doesNotContainKeys("given_name", "family_name", "email", "civic_number");
            assertThat(masked.getSubject()).isNotBlank();
        } finally {
            agreements.revoke(approved, "test ends", "test");
        }
    }

    private String subjectAfterSignIn(UUID product, String username) throws Exception {
        SignInClients.Registration client = clients.register(product, "Produkt", List.of(REDIRECT), true, "test");
        CodeVerifier verifier = new CodeVerifier();
        URI authorize = new AuthenticationRequest.Builder(new ResponseType("code"), new Scope("openid"), new ClientID(client.clientId()), URI.create(REDIRECT))
                .endpointURI(op.getAuthorizationEndpointURI()).state(new State()).nonce(new Nonce()).codeChallenge(verifier, CodeChallengeMethod.S256)
                .build().toURI();
        HttpResponse<String> first = get(authorize);
        URI callback = location(first, baseUrl()).getPath().equals("/sign-in") ? signInThrough(authorize, username) : pastNotice(location(first, baseUrl()));
        AuthorizationCode code = AuthorizationResponse.parse(callback).toSuccessResponse().getAuthorizationCode();
        OIDCTokenResponse ok = (OIDCTokenResponse) OIDCTokenResponseParser.parse(new TokenRequest(op.getTokenEndpointURI(),
                new ClientSecretBasic(new ClientID(client.clientId()), new Secret(client.clientSecret())),
                new AuthorizationCodeGrant(code, URI.create(REDIRECT), verifier)).toHTTPRequest().send()).toSuccessResponse();
        return ok.getOIDCTokens().getIDToken().getJWTClaimsSet().getSubject();
    }
}
