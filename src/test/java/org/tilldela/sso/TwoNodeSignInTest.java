package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.token.Tokens;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.tilldela.TilldelaApplication;

/**
 * Two nodes on one database serve one user: a pupil signs in through the first, the product refreshes at
 * the second (as behind a load balancer, both with the same public address), the second node's (reference) access
 * token introspects as active on the first and opens userinfo there, and the rotated
 * refresh token works back on the first — every piece of state is in PostgreSQL.
 */
class TwoNodeSignInTest extends SignInTestSupport {

    @Test
    void signInOnOneNodeAndRefreshOnTheOther() throws Exception {
        SignedIn signedIn = signIn(fixture.persons.get(6));
        String sub = signedIn.tokens().getOIDCTokens().getIDToken().getJWTClaimsSet().getSubject();
        try (ConfigurableApplicationContext second = new SpringApplicationBuilder(TilldelaApplication.class).run("--server.port=0",
                "--spring.main.banner-mode=off", "--tilldela.data-dir=" + dataDir(), "--tilldela.demo=false", "--tilldela.bootstrap.enabled=false",
                // what a load balancer in front of both gives them: one public address
                "--tilldela.base-url=" + baseUrl())) {
            URI tokenEndpoint = URI.create("http://localhost:" + second.getEnvironment().getProperty("local.server.port") + "/oauth2/token");
            TokenResponse refreshed = OIDCTokenResponseParser.parse(new TokenRequest(tokenEndpoint, signedIn.auth(),
                    new RefreshTokenGrant(signedIn.tokens().getOIDCTokens().getRefreshToken())).toHTTPRequest().send());
            assertThat(refreshed.indicatesSuccess()).as(() -> refreshed.toErrorResponse().getErrorObject().toString()).isTrue();
            Tokens tokens = refreshed.toSuccessResponse().getTokens();

            // the access token the second node issued (a reference) introspects as active on the first
            com.nimbusds.oauth2.sdk.TokenIntrospectionResponse introspected = com.nimbusds.oauth2.sdk.TokenIntrospectionResponse.parse(
                    new com.nimbusds.oauth2.sdk.TokenIntrospectionRequest(op.getIntrospectionEndpointURI(), signedIn.auth(), tokens.getAccessToken())
                            .toHTTPRequest().send());
            assertThat(introspected.toSuccessResponse().isActive()).isTrue();
            assertThat(introspected.toSuccessResponse().getSubject().getValue()).as("the pairwise pseudonym, as in the sign-in's ID token").isEqualTo(sub);

            UserInfoResponse userInfo = UserInfoResponse.parse(new UserInfoRequest(op.getUserInfoEndpointURI(), tokens.getBearerAccessToken())
                    .toHTTPRequest().send());
            assertThat(userInfo.indicatesSuccess()).as("userinfo on the first node with the second node's token").isTrue();
            assertThat(userInfo.toSuccessResponse().getUserInfo().getSubject().getValue()).isEqualTo(sub);

            TokenResponse again = refresh(signedIn, tokens.getRefreshToken());
            assertThat(again.indicatesSuccess()).as("the rotated refresh token, back on the first node").isTrue();
        }
    }
}
