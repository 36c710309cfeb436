package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The protocol rules a relying party or an attacker meets, each refused as OAuth 2.0 / OpenID Connect say:
 * redirect URIs matched exactly, PKCE required and S256 only, codes single-use and bound to their client and
 * verifier, tokens that are tampered with or signed by anyone else rejected.
 */
class ProtocolSecurityTest extends SignInTestSupport {

    record Client(String id, String secret, ClientSecretBasic auth) {
    }

    private Client client() {
        SignInClients.Registration r = clients.register(fixture.productId, "Digital matematik", List.of(REDIRECT), true, "test");
        return new Client(r.clientId(), r.clientSecret(), new ClientSecretBasic(new ClientID(r.clientId()), new Secret(r.clientSecret())));
    }

    private URI authorize(Client client, String redirect, CodeVerifier verifier, CodeChallengeMethod method) {
        AuthenticationRequest.Builder request = new AuthenticationRequest.Builder(new ResponseType("code"), new Scope("openid"),
                new ClientID(client.id()), URI.create(redirect)).endpointURI(op.getAuthorizationEndpointURI()).state(new State()).nonce(new Nonce());
        if (verifier != null) {
            request.codeChallenge(verifier, method);
        }
        return request.build().toURI();
    }

    private String signedInPupil() throws Exception {
        browser = newBrowser();
        String username = "elev-" + UUID.randomUUID().toString().substring(0, 8);
        accounts.setPassword(fixture.persons.get(10), username, PASSWORD, "test");
        return username;
    }

    private AuthorizationCode code(Client client, CodeVerifier verifier) throws Exception {
        URI callback = signInThrough(authorize(client, REDIRECT, verifier, CodeChallengeMethod.S256), signedInPupil());
        return AuthorizationResponse.parse(callback).toSuccessResponse().getAuthorizationCode();
    }

    private TokenResponse redeem(ClientSecretBasic auth, AuthorizationCode code, CodeVerifier verifier) throws Exception {
        return OIDCTokenResponseParser.parse(new TokenRequest(op.getTokenEndpointURI(), auth, new AuthorizationCodeGrant(code, URI.create(REDIRECT), verifier))
                .toHTTPRequest().send());
    }

    @Test
    void aRedirectUriThatIsNotExactlyTheRegisteredOneIsNeverRedirectedTo() throws Exception {
        Client client = client();
        String username = signedInPupil();
        signInThrough(authorize(client, REDIRECT, new CodeVerifier(), CodeChallengeMethod.S256), username);
        for (String wrong : List.of("https://matematik.example/callback/more", "https://matematik.example/", "https://evil.example/callback",
                "https://matematik.example/callback?x=1", "https://MATEMATIK.example/callback")) {
            HttpResponse<String> answer = get(authorize(client, wrong, new CodeVerifier(), CodeChallengeMethod.S256));
            assertThat(answer.statusCode()).as(wrong).isEqualTo(400);
            assertThat(answer.headers().firstValue("Location")).as(wrong).isEmpty();
        }
    }

    @Test
    void pkceIsRequiredAndPlainIsRefused() throws Exception {
        Client client = client();
        String username = signedInPupil();
        signInThrough(authorize(client, REDIRECT, new CodeVerifier(), CodeChallengeMethod.S256), username);
        for (URI request : List.of(authorize(client, REDIRECT, null, null), authorize(client, REDIRECT, new CodeVerifier(), CodeChallengeMethod.PLAIN))) {
            HttpResponse<String> answer = get(request);
            assertThat(answer.statusCode()).isEqualTo(302);
            AuthorizationResponse response = AuthorizationResponse.parse(location(answer, baseUrl()));
            assertThat(response.indicatesSuccess()).as(request.toString()).isFalse();
            assertThat(response.toErrorResponse().getErrorObject().getCode()).isEqualTo("invalid_request");
        }
    }

    @Test
    void aCodeNeedsItsVerifierIsSingleUseAndBelongsToItsClient() throws Exception {
        Client client = client();
        Client other = client();
        CodeVerifier verifier = new CodeVerifier();

        AuthorizationCode code = code(client, verifier);
        assertThat(redeem(client.auth(), code, new CodeVerifier()).indicatesSuccess()).as("wrong verifier").isFalse();

        AuthorizationCode second = code(client, verifier);
        assertThat(redeem(other.auth(), second, verifier).indicatesSuccess()).as("another client").isFalse();

        AuthorizationCode third = code(client, verifier);
        TokenResponse first = redeem(client.auth(), third, verifier);
        assertThat(first.indicatesSuccess()).isTrue();
        TokenResponse replay = redeem(client.auth(), third, verifier);
        assertThat(replay.indicatesSuccess()).as("replayed").isFalse();
        assertThat(replay.toErrorResponse().getErrorObject().getCode()).isEqualTo("invalid_grant");
        // a replayed code also ends what it gave (RFC 6749 §4.1.2): the access token no longer opens userinfo
        BearerAccessToken issued = first.toSuccessResponse().getTokens().getBearerAccessToken();
        UserInfoResponse userInfo = UserInfoResponse.parse(new UserInfoRequest(op.getUserInfoEndpointURI(), issued).toHTTPRequest().send());
        assertThat(userInfo.indicatesSuccess()).isFalse();
    }

    @Test
    void tamperedOrForeignSignedTokensAreRejected() throws Exception {
        Client client = client();
        CodeVerifier verifier = new CodeVerifier();
        TokenResponse tokens = redeem(client.auth(), code(client, verifier), verifier);
        SignedJWT idToken = (SignedJWT) ((com.nimbusds.openid.connect.sdk.OIDCTokenResponse) tokens.toSuccessResponse()).getOIDCTokens().getIDToken();
        IDTokenValidator validator = new IDTokenValidator(op.getIssuer(), new ClientID(client.id()), JWSAlgorithm.RS256, op.getJWKSetURI().toURL());

        // the same claims with another subject, the original signature kept
        String[] parts = idToken.serialize().split("\\.");
        JWTClaimsSet forged = new JWTClaimsSet.Builder(idToken.getJWTClaimsSet()).subject("someone-else").build();
        String tampered = parts[0] + "." + com.nimbusds.jose.util.Base64URL.encode(forged.toString()) + "." + parts[2];
        assertThatThrownBy(() -> validator.validate(SignedJWT.parse(tampered), null)).hasMessageContaining("signature");

        // well-formed, but signed with a key the provider never published
        RSAKey foreign = new RSAKeyGenerator(2048).keyID(idToken.getHeader().getKeyID()).generate();
        SignedJWT impostor = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(foreign.getKeyID()).build(), idToken.getJWTClaimsSet());
        impostor.sign(new RSASSASigner(foreign));
        assertThatThrownBy(() -> validator.validate(impostor, null)).hasMessageContaining("signature");

        // and the provider's own resource endpoint refuses a bearer token it did not sign
        UserInfoResponse userInfo = UserInfoResponse.parse(new UserInfoRequest(op.getUserInfoEndpointURI(), new BearerAccessToken(impostor.serialize()))
                .toHTTPRequest().send());
        assertThat(userInfo.indicatesSuccess()).isFalse();
    }
}
