package org.tilldela.directory.sources;

import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.tilldela.directory.ss12000.HostNotAllowedException;
import org.tilldela.directory.ss12000.Ss12000Readers;

/**
 * OAuth 2.0 access tokens for import sources, got with client credentials (RFC 6749 4.4, HTTP Basic client
 * authentication) by Nimbus OAuth 2.0 SDK, and kept in memory until shortly before they expire: a source on a 1-minute
 * schedule asks its authorization server once per token lifetime, not once per run. A token is kept per source and per
 * credentials, so changed settings never use a token got with the old ones. Tokens are never stored or logged.
 */
@Component
class SourceTokens {

    private static final Logger log = LoggerFactory.getLogger(SourceTokens.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 20_000;
    private static final int READ_TIMEOUT_MILLIS = 60_000;
    /** Used when the server does not say how long its token lasts (expires_in is optional). */
    private static final long DEFAULT_LIFETIME_SECONDS = 300;

    /** The authorization server refused the credentials or could not be reached; the message never quotes its answer. */
    static final class AuthorizationFailedException extends RuntimeException {
        AuthorizationFailedException(String message) {
            super(message);
        }
    }

    private record Cached(byte[] credentials, String token, Instant renewAt) {
    }

    private final Ss12000Readers readers;
    private final Map<java.util.UUID, Cached> cache = new ConcurrentHashMap<>();
    private final Map<java.util.UUID, java.util.concurrent.locks.ReentrantLock> locks = new ConcurrentHashMap<>();

    SourceTokens(Ss12000Readers readers) {
        this.readers = readers;
    }

    /**
     * An access token for the source: the kept one while it lasts, else a new one from the token endpoint.
     *
     * @throws HostNotAllowedException     when the token URL's host is not in {@code tilldela.import.allowed-hosts}
     * @throws AuthorizationFailedException when the authorization server refused or did not answer usably
     */
    String accessToken(java.util.UUID source, String tokenUrl, String clientId, String clientSecret, String scope) {
        return accessToken(source, tokenUrl, clientId, clientSecret, scope, null);
    }

    /** @param tls the source's TLS context (its client certificate, its CA certificates), or null for the JDK's */
    String accessToken(java.util.UUID source, String tokenUrl, String clientId, String clientSecret, String scope, javax.net.ssl.SSLContext tls) {
        byte[] credentials = ImportSources.sha256(tokenUrl + '\n' + clientId + '\n' + clientSecret + '\n' + (scope == null ? "" : scope));
        Cached kept = cache.get(source);
        if (kept != null && Arrays.equals(kept.credentials(), credentials) && Instant.now().isBefore(kept.renewAt())) {
            return kept.token();
        }
        // one request at a time per source (its runs are serialised anyway, and this is rare); a source whose
        // authorization server hangs holds up only itself, never another source's runs
        java.util.concurrent.locks.ReentrantLock lock = locks.computeIfAbsent(source, k -> new java.util.concurrent.locks.ReentrantLock());
        lock.lock();
        try {
            kept = cache.get(source);
            if (kept != null && Arrays.equals(kept.credentials(), credentials) && Instant.now().isBefore(kept.renewAt())) {
                return kept.token();
            }
            Cached fresh = fetch(tokenUrl, clientId, clientSecret, scope, credentials, tls);
            cache.put(source, fresh);
            return fresh.token();
        } finally {
            lock.unlock();
        }
    }

    /** Forgets the source's token (the server refused it, or the source changed or went). */
    void forget(java.util.UUID source) {
        cache.remove(source);
    }

    private Cached fetch(String tokenUrl, String clientId, String clientSecret, String scope, byte[] credentials, javax.net.ssl.SSLContext tls) {
        URI uri = URI.create(tokenUrl);
        if (!readers.allowed(uri)) {
            throw new HostNotAllowedException(uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort());
        }
        TokenRequest request = new TokenRequest(uri, new ClientSecretBasic(new ClientID(clientId), new Secret(clientSecret)),
                new ClientCredentialsGrant(), scope == null || scope.isBlank() ? null : Scope.parse(scope));
        HTTPRequest http = request.toHTTPRequest();
        http.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
        http.setReadTimeout(READ_TIMEOUT_MILLIS);
        http.setFollowRedirects(false); // a redirect could lead the secret to a host nobody allowed
        if (tls != null) {
            http.setSSLSocketFactory(tls.getSocketFactory());
        }
        TokenResponse response;
        try {
            response = TokenResponse.parse(http.send());
        } catch (IOException e) {
            log.warn("Import source token endpoint {} could not be reached: {}", uri.getHost(), e.getClass().getSimpleName());
            throw new AuthorizationFailedException("the authorization server could not be reached");
        } catch (ParseException e) {
            log.warn("Import source token endpoint {} answered with something other than a token response", uri.getHost());
            throw new AuthorizationFailedException("the authorization server's answer could not be read");
        }
        if (!response.indicatesSuccess()) {
            var error = response.toErrorResponse().getErrorObject();
            log.warn("Import source token endpoint {} refused the client credentials: {} (HTTP {})", uri.getHost(),
                    error == null ? "no error code" : error.getCode(), error == null ? 0 : error.getHTTPStatusCode());
            throw new AuthorizationFailedException("the authorization server refused the client credentials");
        }
        AccessToken token = response.toSuccessResponse().getTokens().getAccessToken();
        long lifetime = token.getLifetime() > 0 ? token.getLifetime() : DEFAULT_LIFETIME_SECONDS;
        // renewed a little before it ends, so a run never starts with a token about to expire
        return new Cached(credentials, token.getValue(), Instant.now().plusSeconds(lifetime - Math.min(30, lifetime / 2)));
    }
}
