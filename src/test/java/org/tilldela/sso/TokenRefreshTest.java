package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.token.Tokens;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.authentication.event.AbstractAuthenticationEvent;

/**
 * The lean refresh path (TokenRefresh) as an independent relying party (Nimbus) sees it: a refresh brings a
 * reference access token and a rotated refresh token but no new ID token (OpenID Connect Core §12.2); the access
 * token introspects as active with the pairwise subject, this client as audience and the issuer, and opens userinfo; the release is counted in the ledger; and everything the default path refused is still refused —
 * another client's token, a revoked token, two requests racing with one token.
 */
class TokenRefreshTest extends SignInTestSupport {

    private long releasesCounted(UUID person) {
        return jdbc.sql("select coalesce(sum(disclosures), 0) from holding where person_id = :p and product_id = :product")
                .param("p", person).param("product", fixture.productId).query(Long.class).single();
    }

    @Test
    void aRefreshBringsAnAccessTokenThatWorksButNoNewIdToken() throws Exception {
        UUID pupil = fixture.persons.get(8);
        SignedIn signedIn = signIn(pupil);
        String sub = signedIn.tokens().getOIDCTokens().getIDToken().getJWTClaimsSet().getSubject();
        long before = releasesCounted(pupil);

        TokenResponse refreshed = refresh(signedIn, signedIn.tokens().getOIDCTokens().getRefreshToken());
        assertThat(refreshed.indicatesSuccess()).as(() -> refreshed.toErrorResponse().getErrorObject().toString()).isTrue();
        assertThat(refreshed.toSuccessResponse().toJSONObject()).as("no ID token on refresh").doesNotContainKey("id_token")
                .containsKeys("access_token", "refresh_token", "expires_in");
        Tokens tokens = refreshed.toSuccessResponse().getTokens();
        assertThat(tokens.getAccessToken().getValue()).as("a reference token, not a JWT: nothing to sign on a refresh").doesNotContain(".");
        TokenIntrospectionResponse introspected = TokenIntrospectionResponse.parse(new TokenIntrospectionRequest(op.getIntrospectionEndpointURI(),
                signedIn.auth(), tokens.getAccessToken()).toHTTPRequest().send());
        assertThat(introspected.indicatesSuccess()).isTrue();
        assertThat(introspected.toSuccessResponse().isActive()).isTrue();
        assertThat(introspected.toSuccessResponse().getSubject().getValue()).as("the pairwise pseudonym, never the person's id").isEqualTo(sub)
                .isNotEqualTo(pupil.toString());
        assertThat(introspected.toSuccessResponse().getAudience()).extracting(a -> a.getValue()).containsExactly(signedIn.auth().getClientID().getValue());
        assertThat(introspected.toSuccessResponse().getIssuer().getValue()).isEqualTo(baseUrl());
        assertThat(releasesCounted(pupil)).as("the refresh's release is in the ledger").isEqualTo(before + 1);

        UserInfoResponse userInfo = UserInfoResponse.parse(new UserInfoRequest(op.getUserInfoEndpointURI(), tokens.getBearerAccessToken())
                .toHTTPRequest().send());
        assertThat(userInfo.indicatesSuccess()).isTrue();
        assertThat(userInfo.toSuccessResponse().getUserInfo().getSubject().getValue()).isEqualTo(sub);

        UserInfoResponse withReplaced = UserInfoResponse.parse(new UserInfoRequest(op.getUserInfoEndpointURI(),
                signedIn.tokens().getOIDCTokens().getBearerAccessToken()).toHTTPRequest().send());
        assertThat(withReplaced.indicatesSuccess()).as("the access token the refresh replaced").isFalse();

        assertThat(refresh(signedIn, tokens.getRefreshToken()).indicatesSuccess()).as("the rotated refresh token, once more").isTrue();
    }

    @Autowired
    ConfigurableApplicationContext context;

    @Test
    void tokenRequestsPublishNoAuthenticationEvents() throws Exception {
        // nothing listens to Spring Security's authentication events; published, they cost every token request two trips
        // through the event multicaster (SecurityConfiguration.authenticationEventsNotPublished)
        List<String> published = new java.util.concurrent.CopyOnWriteArrayList<>();
        // a class, not a lambda: Spring reads the event type from it and hands it these events only
        ApplicationListener<AbstractAuthenticationEvent> listener = new ApplicationListener<>() {
            @Override
            public void onApplicationEvent(AbstractAuthenticationEvent event) {
                published.add(event.getClass().getSimpleName());
            }
        };
        context.addApplicationListener(listener);
        try {
            SignedIn signedIn = signIn(fixture.persons.get(10));
            TokenResponse refreshed = refresh(signedIn, signedIn.tokens().getOIDCTokens().getRefreshToken());
            assertThat(refreshed.indicatesSuccess()).isTrue();
            TokenResponse refused = refresh(signedIn, signedIn.tokens().getOIDCTokens().getRefreshToken());
            assertThat(refused.indicatesSuccess()).as("the spent refresh token").isFalse();
        } finally {
            context.removeApplicationListener(listener);
        }
        // the person's form sign-in is announced by its filter (Spring's own, not through the publisher); the token
        // requests after it (the code's redemption, a refresh, a refused refresh, each with its client's authentication) add nothing
        assertThat(published).containsExactly("InteractiveAuthenticationSuccessEvent");
    }

    /** The newest chain record about the person for the test's product: its channel and attributes. */
    private String latestRecord(UUID person) {
        return jdbc.sql("""
                        select channel || ' ' || attributes from disclosure where person_id = :p and product_id = :product
                        order by sequence desc limit 1""")
                .param("p", person).param("product", fixture.productId).query(String.class).single();
    }

    private long records(UUID person) {
        return jdbc.sql("select count(*) from disclosure where person_id = :p and product_id = :product")
                .param("p", person).param("product", fixture.productId).query(Long.class).single();
    }

    /**
     * The ledger says what went: a sign-in sent the ID token's claims, a refresh an access token whose only content
     * about the person is its subject, the pseudonym. The refresh's release is recorded as exactly that, over its own
     * channel; the next refresh repeats it (counted on the holding, no new chain record); the holding still names
     * everything the supplier has had.
     */
    @Test
    void aRefreshRecordsThePseudonymItCarriesAndNothingMore() throws Exception {
        UUID pupil = fixture.persons.get(11);
        SignedIn signedIn = signIn(pupil);
        String signInRecord = latestRecord(pupil);
        assertThat(signInRecord).startsWith("SSO_ID_TOKEN ").contains("PSEUDONYMOUS_ID").isNotEqualTo("SSO_ID_TOKEN PSEUDONYMOUS_ID");

        TokenResponse first = refresh(signedIn, signedIn.tokens().getOIDCTokens().getRefreshToken());
        assertThat(first.indicatesSuccess()).isTrue();
        assertThat(latestRecord(pupil)).isEqualTo("SSO_ACCESS_TOKEN PSEUDONYMOUS_ID");
        long afterFirst = records(pupil);
        long counted = releasesCounted(pupil);

        assertThat(refresh(signedIn, first.toSuccessResponse().getTokens().getRefreshToken()).indicatesSuccess()).isTrue();
        assertThat(records(pupil)).as("the same release again is a repeat, not a new chain record").isEqualTo(afterFirst);
        assertThat(releasesCounted(pupil)).as("but it is counted").isEqualTo(counted + 1);
        String held = jdbc.sql("select array_to_string(attributes, ',') from holding where person_id = :p and product_id = :product")
                .param("p", pupil).param("product", fixture.productId).query(String.class).single();
        assertThat(held.split(",")).as("the holding keeps what the sign-in sent")
                .contains(signInRecord.substring("SSO_ID_TOKEN ".length()).split(","));
    }

    /**
     * Whoever reads the database (a backup, a dump) finds no token that works: the authorization row holds digests
     * only, yet the tokens do what they did — a refresh, introspection, userinfo, revocation, and a logout by the ID
     * token as its hint.
     */
    @Test
    void tokensAreStoredOnlyAsDigestsAndStillWork() throws Exception {
        SignedIn signedIn = signIn(fixture.persons.get(7));
        var issued = signedIn.tokens().getOIDCTokens();
        TokenResponse refreshed = refresh(signedIn, issued.getRefreshToken());
        assertThat(refreshed.indicatesSuccess()).isTrue();
        Tokens now = refreshed.toSuccessResponse().getTokens();
        String row = jdbc.sql("select cast(a as text) from oauth2_authorization a where refresh_token_value = :t")
                .param("t", TokensAtRest.digest(now.getRefreshToken().getValue())).query(String.class).single();
        for (String value : List.of(issued.getAccessToken().getValue(), issued.getRefreshToken().getValue(), issued.getIDTokenString(),
                now.getAccessToken().getValue(), now.getRefreshToken().getValue())) {
            assertThat(row).as("no token in plain text at rest").doesNotContain(value);
        }
        assertThat(row).contains(TokensAtRest.digest(now.getAccessToken().getValue()), TokensAtRest.digest(issued.getIDTokenString()));
        assertThat(jdbc.sql("select count(*) from oauth2_authorization where authorization_code_value is not null and authorization_code_value not like 'sha256:%'")
                .query(Integer.class).single()).as("authorization codes too").isZero();
        // the upgrade's migration digests what was stored before exactly as the server digests it now (V2026.12.06.30)
        String asMigrated = jdbc.sql("select 'sha256:' || encode(sha256(convert_to(:v, 'UTF8')), 'hex')").param("v", issued.getIDTokenString())
                .query(String.class).single();
        assertThat(asMigrated).isEqualTo(TokensAtRest.digest(issued.getIDTokenString()));

        assertThat(TokenIntrospectionResponse.parse(new TokenIntrospectionRequest(op.getIntrospectionEndpointURI(), signedIn.auth(), now.getAccessToken())
                .toHTTPRequest().send()).toSuccessResponse().isActive()).isTrue();
        assertThat(UserInfoResponse.parse(new UserInfoRequest(op.getUserInfoEndpointURI(), now.getBearerAccessToken()).toHTTPRequest().send())
                .indicatesSuccess()).isTrue();
        assertThat(new TokenRevocationRequest(op.getRevocationEndpointURI(), signedIn.auth(), now.getAccessToken()).toHTTPRequest().send().getStatusCode())
                .isEqualTo(200);
        assertThat(TokenIntrospectionResponse.parse(new TokenIntrospectionRequest(op.getIntrospectionEndpointURI(), signedIn.auth(), now.getAccessToken())
                .toHTTPRequest().send()).toSuccessResponse().isActive()).as("revoked by its value").isFalse();
        assertThat(refresh(signedIn, now.getRefreshToken()).indicatesSuccess()).as("the refresh token still works").isTrue();
    }

    @Test
    void aStoredDigestPresentedAsTheTokenIsRefusedAndTheFamilyStaysWatched() throws Exception {
        SignedIn signedIn = signIn(fixture.persons.get(14));
        var issued = signedIn.tokens().getOIDCTokens();
        // what a copy of the database holds (the digests, TokensAtRest) is no token: not for a refresh, nor for introspection
        String storedRefresh = jdbc.sql("select refresh_token_value from oauth2_authorization where refresh_token_value = :t")
                .param("t", TokensAtRest.digest(issued.getRefreshToken().getValue())).query(String.class).single();
        String storedAccess = TokensAtRest.digest(issued.getAccessToken().getValue());
        TokenResponse withDigest = refresh(signedIn, new RefreshToken(storedRefresh));
        assertThat(withDigest.indicatesSuccess()).isFalse();
        assertThat(withDigest.toErrorResponse().getErrorObject().getCode()).isEqualTo("invalid_grant");
        assertThat(TokenIntrospectionResponse.parse(new TokenIntrospectionRequest(op.getIntrospectionEndpointURI(), signedIn.auth(),
                new com.nimbusds.oauth2.sdk.token.BearerAccessToken(storedAccess)).toHTTPRequest().send()).toSuccessResponse().isActive()).isFalse();
        // the token itself still works, once: presented again after its rotation it ends the family, as ever
        TokenResponse refreshed = refresh(signedIn, issued.getRefreshToken());
        assertThat(refreshed.indicatesSuccess()).isTrue();
        assertThat(refresh(signedIn, issued.getRefreshToken()).indicatesSuccess()).isFalse();
        assertThat(refresh(signedIn, refreshed.toSuccessResponse().getTokens().getRefreshToken()).indicatesSuccess()).as("family ended").isFalse();
    }

    @Test
    void anotherClientsRefreshTokenIsRefusedAndStaysItsOwners() throws Exception {
        SignedIn signedIn = signIn(fixture.persons.get(9));
        SignInClients.Registration other = clients.register(fixture.productId, "Annan klient", List.of(REDIRECT), true, "test");
        SignedIn impostor = new SignedIn(new ClientSecretBasic(new ClientID(other.clientId()), new Secret(other.clientSecret())), signedIn.tokens());
        RefreshToken token = signedIn.tokens().getOIDCTokens().getRefreshToken();

        TokenResponse stolen = refresh(impostor, token);
        assertThat(stolen.indicatesSuccess()).isFalse();
        assertThat(stolen.toErrorResponse().getErrorObject().getCode()).isEqualTo("invalid_grant");
        assertThat(refresh(signedIn, token).indicatesSuccess()).as("its own client still may").isTrue();
    }

    @Test
    void aRevokedRefreshTokenIsRefused() throws Exception {
        SignedIn signedIn = signIn(fixture.persons.get(10));
        RefreshToken token = signedIn.tokens().getOIDCTokens().getRefreshToken();
        assertThat(new TokenRevocationRequest(op.getRevocationEndpointURI(), signedIn.auth(), token).toHTTPRequest().send().getStatusCode()).isEqualTo(200);

        TokenResponse refreshed = refresh(signedIn, token);
        assertThat(refreshed.indicatesSuccess()).isFalse();
        assertThat(refreshed.toErrorResponse().getErrorObject().getCode()).isEqualTo("invalid_grant");
    }

    @Test
    void aNewPasswordSignsThePersonOutEverywhere() throws Exception {
        UUID pupil = fixture.persons.get(13);
        SignedIn signedIn = signIn(pupil);
        RefreshToken token = signedIn.tokens().getOIDCTokens().getRefreshToken();
        java.net.URI start = java.net.URI.create(baseUrl() + "/start");
        assertThat(get(start).statusCode()).as("signed in: the start page opens").isEqualTo(200);

        accounts.setPassword(pupil, "elev-" + UUID.randomUUID().toString().substring(0, 8), "ett-nytt-losenord", "teacher");

        assertThat(get(start).statusCode()).as("the old web session is over: sent to sign in").isEqualTo(302);
        TokenResponse refreshed = refresh(signedIn, token);
        assertThat(refreshed.indicatesSuccess()).as("the product's refresh token died with the old password").isFalse();
        assertThat(refreshed.toErrorResponse().getErrorObject().getCode()).isEqualTo("invalid_grant");
        TokenIntrospectionResponse introspected = TokenIntrospectionResponse.parse(new TokenIntrospectionRequest(op.getIntrospectionEndpointURI(),
                signedIn.auth(), signedIn.tokens().getOIDCTokens().getAccessToken()).toHTTPRequest().send());
        assertThat(introspected.toSuccessResponse().isActive()).as("and its access token").isFalse();
        assertThat(jdbc.sql("select detail->>'signedOut' from audit_event where action = 'PERSON_PASSWORD_SET' and target_id = :p order by id desc limit 1")
                .param("p", pupil.toString()).query(String.class).single()).as("the reset's audit record says how many were ended").isEqualTo("2");
    }

    /**
     * A revocation committing while a refresh of the same token is under way: the refresh must see it and be
     * refused, never write the revoked token back as active. The test holds the row as a revocation's save does,
     * marks the refresh token invalidated, and commits only once the refresh waits on that row.
     */
    @Test
    void aRevocationCommittedDuringARefreshIsNotUndone() throws Exception {
        SignedIn signedIn = signIn(fixture.persons.get(12));
        RefreshToken token = signedIn.tokens().getOIDCTokens().getRefreshToken();
        var revocation = new org.springframework.transaction.support.TransactionTemplate(transactions);
        try (var pool = Executors.newSingleThreadExecutor()) {
            Future<TokenResponse> refreshed = revocation.execute(status -> {
                int marked = jdbc.sql("""
                                update oauth2_authorization
                                set refresh_token_metadata = replace(refresh_token_metadata, '"metadata.token.invalidated":false', '"metadata.token.invalidated":true')
                                where refresh_token_value = :t and refresh_token_metadata like '%"metadata.token.invalidated":false%'""")
                        .param("t", TokensAtRest.digest(token.getValue())).update();
                assertThat(marked).as("the refresh token's metadata, as the store writes it").isEqualTo(1);
                Future<TokenResponse> answer = pool.submit(() -> refresh(signedIn, token));
                long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
                // a transaction sees one snapshot of the statistics unless told to take a new one
                while (jdbc.sql("select pg_stat_clear_snapshot()").query(Object.class).optional().isPresent()
                        && jdbc.sql("select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%oauth2_authorization%'")
                        .query(Integer.class).single() == 0) {
                    assertThat(System.nanoTime()).as("the refresh reaches the row").isLessThan(deadline);
                    Thread.onSpinWait();
                }
                return answer;
            });
            TokenResponse answer = refreshed.get();
            assertThat(answer.indicatesSuccess()).as("refused: the token was revoked before the refresh could rotate it").isFalse();
            assertThat(answer.toErrorResponse().getErrorObject().getCode()).isEqualTo("invalid_grant");
        }
        assertThat(jdbc.sql("select refresh_token_metadata from oauth2_authorization where refresh_token_value = :t").param("t", TokensAtRest.digest(token.getValue()))
                .query(String.class).single()).as("still revoked").contains("\"metadata.token.invalidated\":true");
    }

    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.transaction.PlatformTransactionManager transactions;

    /** Two requests with one refresh token at once: one wins; the other holds a spent token, which ends the family. */
    @Test
    void twoRequestsRacingWithOneTokenGetOneAnswerAndEndTheFamily() throws Exception {
        SignedIn signedIn = signIn(fixture.persons.get(11));
        RefreshToken token = signedIn.tokens().getOIDCTokens().getRefreshToken();
        CyclicBarrier together = new CyclicBarrier(2);
        List<TokenResponse> answers = new java.util.ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(2)) {
            List<Future<TokenResponse>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                futures.add(pool.submit(() -> {
                    together.await();
                    return refresh(signedIn, token);
                }));
            }
            for (Future<TokenResponse> f : futures) {
                answers.add(f.get());
            }
        }
        List<TokenResponse> won = answers.stream().filter(TokenResponse::indicatesSuccess).toList();
        assertThat(won).as("exactly one of the two gets tokens").hasSize(1);
        TokenResponse afterwards = refresh(signedIn, won.getFirst().toSuccessResponse().getTokens().getRefreshToken());
        assertThat(afterwards.indicatesSuccess()).as("the winner's successor, ended with the family").isFalse();
    }
}
