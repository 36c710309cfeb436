package org.tilldela.provisioning.roster;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import org.tilldela.sso.SignInClients;

/** A roster client's access token from Tilldela's token endpoint, fetched by an independent OAuth 2 client (Nimbus), as a supplier's system does. */
final class RosterTokens {

    private RosterTokens() {
    }

    static String token(String baseUrl, SignInClients.Registration client, String scope) throws Exception {
        OIDCProviderMetadata op = OIDCProviderMetadata.resolve(new Issuer(baseUrl));
        TokenResponse response = TokenResponse.parse(new TokenRequest(op.getTokenEndpointURI(),
                new ClientSecretBasic(new ClientID(client.clientId()), new Secret(client.clientSecret())), new ClientCredentialsGrant(), new Scope(scope))
                .toHTTPRequest().send());
        assertThat(response.indicatesSuccess()).as(() -> response.toErrorResponse().getErrorObject().toString()).isTrue();
        return response.toSuccessResponse().getTokens().getAccessToken().getValue();
    }
}
