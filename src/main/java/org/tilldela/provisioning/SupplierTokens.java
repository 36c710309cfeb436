package org.tilldela.provisioning;

import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import jakarta.ws.rs.ProcessingException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.tilldela.platform.OutboundHosts;

/**
 * The bearer token a connector sends a supplier (SCIM or BOL): the one the supplier issued, or an OAuth 2.0 access
 * token bought with the client credentials (RFC 6749 §4.4, HTTP Basic client authentication, by Nimbus OAuth 2.0 SDK)
 * and kept until shortly before it expires.
 */
final class SupplierTokens {

    private final Connectors.Endpoint endpoint;
    private final Duration timeout;
    private final ConnectorHosts hosts;
    private final javax.net.ssl.SSLContext tls;
    private volatile AccessToken token;
    private volatile Instant tokenExpires = Instant.EPOCH;
    private final java.util.concurrent.locks.ReentrantLock tokenLock = new java.util.concurrent.locks.ReentrantLock();

    SupplierTokens(Connectors.Endpoint endpoint, Duration timeout, ConnectorHosts hosts, javax.net.ssl.SSLContext tls) {
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.hosts = hosts;
        this.tls = tls;
    }

    /** A revoked or expired token (the supplier answered 401): the next call fetches a new one. */
    void expire() {
        tokenExpires = Instant.EPOCH;
    }

    String bearer() {
        if (endpoint.auth() == Connector.Auth.BEARER) {
            return endpoint.bearerToken();
        }
        if (token == null || Instant.now().isAfter(tokenExpires)) {
            // a lock, not synchronized: the workers are virtual threads, and one pinned to its carrier while it waits for a
            // token endpoint would hold one of the node's few carrier threads
            tokenLock.lock();
            try {
                if (token == null || Instant.now().isAfter(tokenExpires)) {
                    fetchToken();
                }
            } finally {
                tokenLock.unlock();
            }
        }
        return token.getValue();
    }

    private void fetchToken() {
        try {
            hosts.check(URI.create(endpoint.tokenUrl()), true);
            TokenRequest request = new TokenRequest(URI.create(endpoint.tokenUrl()),
                    new ClientSecretBasic(new ClientID(endpoint.clientId()), new Secret(endpoint.clientSecret())), new ClientCredentialsGrant());
            // one bounded exchange (headers and body within the timeout), no redirects (they would carry the client's
            // credentials to an address nobody configured), the supplier's CA when one was given
            TokenResponse response = TokenResponse.parse(JdkHttpConnector.send(request.toHTTPRequest(), timeout, tls));
            if (!response.indicatesSuccess()) {
                var error = response.toErrorResponse().getErrorObject();
                throw new ProcessingException("the token endpoint refused the client credentials: " + error.getCode()
                        + (error.getDescription() == null ? "" : " (" + error.getDescription() + ")"));
            }
            AccessToken accessToken = ((AccessTokenResponse) response).getTokens().getAccessToken();
            long lifetime = accessToken.getLifetime() > 0 ? accessToken.getLifetime() : 300;
            token = accessToken;
            tokenExpires = Instant.now().plusSeconds(Math.max(1, lifetime - 30));
        } catch (OutboundHosts.NotAllowed e) {
            throw new ProcessingException(e.getMessage(), e);
        } catch (IOException | com.nimbusds.oauth2.sdk.ParseException e) {
            throw new ProcessingException("the token endpoint did not answer usably: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessingException("interrupted", e);
        }
    }
}
