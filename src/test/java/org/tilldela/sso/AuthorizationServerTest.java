package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import java.net.URL;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.tilldela.IntegrationTest;

/**
 * The provider as an independent relying party sees it (Nimbus OAuth 2.0 SDK, not our code): discovery
 * names the configured issuer, tokens verify against the published key set, keys rotate without breaking
 * tokens already out, and private keys are encrypted at rest.
 */
class AuthorizationServerTest extends IntegrationTest {

    @Autowired
    RegisteredClientRepository clients;

    @Autowired
    SigningKeys keys;

    @Autowired
    JdbcClient jdbc;

    private ClientID machineClient(String secret) {
        String clientId = "machine-" + UUID.randomUUID();
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString()).clientId(clientId).clientName("Test product")
                .clientSecret(PasswordEncoderFactories.createDelegatingPasswordEncoder().encode(secret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS).scope("roster")
                .tokenSettings(TokenSettings.builder().accessTokenTimeToLive(Duration.ofMinutes(5)).build()).build());
        return new ClientID(clientId);
    }

    private SignedJWT token(OIDCProviderMetadata op, ClientID client, String secret) throws Exception {
        TokenResponse response = TokenResponse.parse(new TokenRequest(op.getTokenEndpointURI(), new ClientSecretBasic(client, new Secret(secret)),
                new ClientCredentialsGrant(), new Scope("roster")).toHTTPRequest().send());
        assertThat(response.indicatesSuccess()).as(() -> response.toErrorResponse().getErrorObject().toString()).isTrue();
        return SignedJWT.parse(response.toSuccessResponse().getTokens().getAccessToken().getValue());
    }

    private JWTClaimsSet verify(OIDCProviderMetadata op, SignedJWT jwt) throws Exception {
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        // access tokens are ES256 (ID tokens RS256): a verifier that accepted anything else would not prove which key signed
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256,
                new com.nimbusds.jose.jwk.source.ImmutableJWKSet<>(JWKSet.load(op.getJWKSetURI().toURL()))));
        return processor.process(jwt, null);
    }

    @Test
    void discoveryNamesTheConfiguredIssuerAndTokensVerifyAgainstThePublishedKeys() throws Exception {
        OIDCProviderMetadata op = OIDCProviderMetadata.resolve(new Issuer(baseUrl()));
        assertThat(op.getIssuer().getValue()).isEqualTo(baseUrl());
        assertThat(op.getTokenEndpointURI().toString()).startsWith(baseUrl());

        ClientID client = machineClient("a long random secret for the test");
        SignedJWT jwt = token(op, client, "a long random secret for the test");
        JWTClaimsSet claims = verify(op, jwt);
        assertThat(claims.getIssuer()).isEqualTo(baseUrl());
        assertThat(claims.getSubject()).isEqualTo(client.getValue());

        TokenResponse wrongSecret = TokenResponse.parse(new TokenRequest(op.getTokenEndpointURI(),
                new ClientSecretBasic(client, new Secret("not the secret")), new ClientCredentialsGrant(), new Scope("roster")).toHTTPRequest().send());
        assertThat(wrongSecret.indicatesSuccess()).isFalse();
        assertThat(wrongSecret.toErrorResponse().getErrorObject().getCode()).isEqualTo("invalid_client");
    }

    @Test
    void aRotatedKeyStaysPublishedSoTokensAlreadyOutStillVerify() throws Exception {
        OIDCProviderMetadata op = OIDCProviderMetadata.resolve(new Issuer(baseUrl()));
        ClientID client = machineClient("another long random secret");
        SignedJWT before = token(op, client, "another long random secret");

        String newKid = keys.rotate().accessTokenKid();
        SignedJWT after = token(op, client, "another long random secret");

        assertThat(after.getHeader().getKeyID()).isEqualTo(newKid).isNotEqualTo(before.getHeader().getKeyID());
        JWKSet published = JWKSet.load(new URL(op.getJWKSetURI().toString()));
        assertThat(published.getKeys()).extracting(k -> k.getKeyID()).contains(before.getHeader().getKeyID(), newKid);
        assertThat(published.getKeys()).allMatch(k -> !k.isPrivate());
        assertThat(verify(op, before).getSubject()).isEqualTo(client.getValue());
        assertThat(verify(op, after).getSubject()).isEqualTo(client.getValue());
    }

    @Test
    void privateKeysAreEncryptedAtRestAndUselessWithAnotherKey() {
        keys.rotate();
        byte[] stored = jdbc.sql("select private_jwk from sso_signing_key order by created_at desc limit 1").query(byte[].class).single();
        assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("\"d\"").doesNotContain("RSA");

        SigningKeys withOtherKey = new SigningKeys(jdbc, new org.springframework.transaction.support.TransactionTemplate(
                new org.springframework.jdbc.datasource.DataSourceTransactionManager(jdbcDataSource())), new byte[32], java.time.Clock.systemUTC(),
                Duration.ofMinutes(10));
        assertThatThrownBy(() -> withOtherKey.current().get(new com.nimbusds.jose.jwk.JWKSelector(new com.nimbusds.jose.jwk.JWKMatcher.Builder().build()), null))
                .hasMessageContaining("cannot be decrypted");
    }

    @Autowired
    javax.sql.DataSource dataSource;

    private javax.sql.DataSource jdbcDataSource() {
        return dataSource;
    }
}
