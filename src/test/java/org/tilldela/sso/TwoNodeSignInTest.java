package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.tilldela.TilldelaApplication;

/**
 * Two nodes on one database serve one user: a pupil signs in through the first, the product refreshes at
 * the second (as behind a load balancer, both with the same public address), and the second node's ID
 * token verifies against the key set the first publishes — every piece of state is in PostgreSQL.
 */
class TwoNodeSignInTest extends SignInTestSupport {

    @Test
    void signInOnOneNodeAndRefreshOnTheOther() throws Exception {
        SignedIn signedIn = signIn(fixture.persons.get(6));
        try (ConfigurableApplicationContext second = new SpringApplicationBuilder(TilldelaApplication.class).run("--server.port=0",
                "--spring.main.banner-mode=off", "--tilldela.data-dir=" + dataDir(), "--tilldela.demo=false", "--tilldela.bootstrap.enabled=false",
                // what a load balancer in front of both gives them: one public address
                "--tilldela.base-url=" + baseUrl())) {
            URI tokenEndpoint = URI.create("http://localhost:" + second.getEnvironment().getProperty("local.server.port") + "/oauth2/token");
            TokenResponse refreshed = OIDCTokenResponseParser.parse(new TokenRequest(tokenEndpoint, signedIn.auth(),
                    new RefreshTokenGrant(signedIn.tokens().getOIDCTokens().getRefreshToken())).toHTTPRequest().send());
            assertThat(refreshed.indicatesSuccess()).as(() -> refreshed.toErrorResponse().getErrorObject().toString()).isTrue();
            OIDCTokenResponse ok = (OIDCTokenResponse) refreshed.toSuccessResponse();
            IDTokenValidator validator = new IDTokenValidator(op.getIssuer(), new ClientID(signedIn.auth().getClientID().getValue()), JWSAlgorithm.RS256,
                    op.getJWKSetURI().toURL());
            assertThat(validator.validate(ok.getOIDCTokens().getIDToken(), null).getSubject().getValue())
                    .isEqualTo(signedIn.tokens().getOIDCTokens().getIDToken().getJWTClaimsSet().getSubject());
        }
    }
}
