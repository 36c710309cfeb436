package org.tilldela.sso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionSuccessResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.token.Token;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.tilldela.catalog.Attribute;

/**
 * Token introspection (RFC 7662) as suppliers' APIs use it: a client learns about the tokens of its own supplier
 * only — its own, or another client's of a product of the same supplier — and about another supplier's token it
 * hears {@code {"active":false}} and nothing else, neither the pairwise pseudonym (which would link the person across
 * suppliers) nor the client. The same for reference access tokens, signed (JWT) access tokens and refresh tokens.
 */
class IntrospectionTest extends SignInTestSupport {

    static final String SCOPE = "roster.test";

    @Test
    void aSignInsTokensIntrospectOnlyForClientsOfTheSameSupplier() throws Exception {
        SignedIn signedIn = signIn(fixture.persons.get(13));
        String sub = signedIn.tokens().getOIDCTokens().getIDToken().getJWTClaimsSet().getSubject();
        String issuedTo = signedIn.auth().getClientID().getValue();
        AccessToken access = signedIn.tokens().getOIDCTokens().getAccessToken();
        RefreshToken refresh = signedIn.tokens().getOIDCTokens().getRefreshToken();
        assertThat(access.getValue()).as("a reference token").doesNotContain(".");
        ClientAuthentication sameSupplier = systemClient(fixture.supplierId);
        ClientAuthentication otherSupplier = systemClient(fixture.supplier("Annat förlag " + UUID.randomUUID(), true));

        TokenIntrospectionSuccessResponse own = introspect(signedIn.auth(), access);
        assertThat(own.isActive()).isTrue();
        assertThat(own.getSubject().getValue()).as("the pairwise pseudonym").isEqualTo(sub);
        assertThat(own.getClientID().getValue()).isEqualTo(issuedTo);

        TokenIntrospectionSuccessResponse sibling = introspect(sameSupplier, access);
        assertThat(sibling.isActive()).as("another client of the same supplier").isTrue();
        assertThat(sibling.getSubject().getValue()).isEqualTo(sub);

        assertInactiveAndNothingElse(otherSupplier, access);

        assertThat(introspect(signedIn.auth(), refresh).isActive()).as("its refresh token, to its own client").isTrue();
        assertThat(introspect(sameSupplier, refresh).isActive()).as("its refresh token, to the same supplier").isTrue();
        assertInactiveAndNothingElse(otherSupplier, refresh);

        assertThat(introspect(signedIn.auth(), access).isActive()).as("refusing the other supplier changed nothing").isTrue();
    }

    @Test
    void aSignedAccessTokenIntrospectsOnlyForClientsOfTheSameSupplier() throws Exception {
        ClientAuthentication system = systemClient(fixture.supplierId);
        TokenResponse issued = TokenResponse.parse(new TokenRequest(op.getTokenEndpointURI(), system, new ClientCredentialsGrant(), new Scope(SCOPE))
                .toHTTPRequest().send());
        assertThat(issued.indicatesSuccess()).as(() -> issued.toErrorResponse().getErrorObject().toString()).isTrue();
        AccessToken jwt = issued.toSuccessResponse().getTokens().getAccessToken();
        assertThat(jwt.getValue().chars().filter(c -> c == '.').count()).as("a signed token (JWT)").isEqualTo(2);
        SignedIn sameSupplier = signIn(fixture.persons.get(14));
        ClientAuthentication otherSupplier = signInClient(fixture.product(fixture.supplier("Tredje förlaget " + UUID.randomUUID(), true),
                Set.of(Attribute.PSEUDONYMOUS_ID)));

        TokenIntrospectionSuccessResponse own = introspect(system, jwt);
        assertThat(own.isActive()).isTrue();
        assertThat(own.getClientID().getValue()).isEqualTo(system.getClientID().getValue());
        assertThat(introspect(sameSupplier.auth(), jwt).isActive()).as("a sign-in client of the same supplier").isTrue();
        assertInactiveAndNothingElse(otherSupplier, jwt);
    }

    /** A system client (client credentials) for a new product of the supplier. */
    private ClientAuthentication systemClient(UUID supplier) {
        UUID product = fixture.product(supplier, Set.of(Attribute.PSEUDONYMOUS_ID));
        SignInClients.Registration client = clients.registerSystemClient(product, "Leverantörens API", Set.of(SCOPE), "test");
        return new ClientSecretBasic(new ClientID(client.clientId()), new Secret(client.clientSecret()));
    }

    private ClientAuthentication signInClient(UUID product) {
        SignInClients.Registration client = clients.register(product, "Annan produkt", List.of(REDIRECT), true, "test");
        return new ClientSecretBasic(new ClientID(client.clientId()), new Secret(client.clientSecret()));
    }

    private TokenIntrospectionSuccessResponse introspect(ClientAuthentication caller, Token token) throws Exception {
        TokenIntrospectionResponse answer = TokenIntrospectionResponse.parse(
                new TokenIntrospectionRequest(op.getIntrospectionEndpointURI(), caller, token).toHTTPRequest().send());
        assertThat(answer.indicatesSuccess()).isTrue();
        return answer.toSuccessResponse();
    }

    /** RFC 7662 §2.2: to a caller that may not know about the token, the token is inactive — and the answer says nothing more. */
    private void assertInactiveAndNothingElse(ClientAuthentication caller, Token token) throws Exception {
        HTTPResponse answer = new TokenIntrospectionRequest(op.getIntrospectionEndpointURI(), caller, token).toHTTPRequest().send();
        assertThat(answer.getStatusCode()).isEqualTo(200);
        assertThat(answer.getBodyAsJSONObject()).as("another supplier's token").containsExactly(entry("active", false));
    }
}
