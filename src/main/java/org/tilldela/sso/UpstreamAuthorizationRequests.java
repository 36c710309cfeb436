package org.tilldela.sso;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.client.web.AuthorizationRequestRepository;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.tilldela.platform.SecretsAtRest;
import tools.jackson.databind.json.JsonMapper;

/**
 * Where a sign-in through an upstream provider waits while the person is away at it: its authorization request
 * (state, the nonce and the PKCE verifier) in PostgreSQL, encrypted, for at most {@link #LIFETIME}; the browser
 * holds only a random key to it in a cookie. So the sign-in page still writes no session before anyone has
 * signed in (as CSRF tokens and the request to return to live in cookies), any node can finish what another
 * began, and a row is used once: taking it deletes it.
 *
 * <p>The request is kept as JSON of its plain string parts, not as a serialised Java object: nothing read back
 * is ever deserialised into arbitrary classes.
 */
final class UpstreamAuthorizationRequests implements AuthorizationRequestRepository<OAuth2AuthorizationRequest> {

    static final String COOKIE = "TILLDELA_UPSTREAM_SIGN_IN";
    static final Duration LIFETIME = Duration.ofMinutes(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcClient jdbc;
    private final SecretsAtRest secrets;
    private final JsonMapper json;

    UpstreamAuthorizationRequests(JdbcClient jdbc, SecretsAtRest secrets, JsonMapper json) {
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.json = json;
    }

    /** An authorization request's parts, each a plain value (additional parameters and attributes are strings). */
    record Stored(String authorizationUri, String clientId, String redirectUri, Set<String> scopes, String state,
                  Map<String, Object> additionalParameters, Map<String, Object> attributes, String authorizationRequestUri) {
    }

    @Override
    public OAuth2AuthorizationRequest loadAuthorizationRequest(HttpServletRequest request) {
        String key = key(request);
        String state = request.getParameter(OAuth2ParameterNames.STATE);
        if (key == null || state == null) {
            return null;
        }
        return jdbc.sql("select request from sso_upstream_sign_in where key_hash = :h and state = :s and expires_at > now()")
                .param("h", HighEntropySecrets.sha256Hex(key)).param("s", state).query(byte[].class).optional().map(this::read).orElse(null);
    }

    @Override
    public void saveAuthorizationRequest(OAuth2AuthorizationRequest authorizationRequest, HttpServletRequest request, HttpServletResponse response) {
        if (authorizationRequest == null) {
            removeAuthorizationRequest(request, response);
            return;
        }
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String key = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Stored stored = new Stored(authorizationRequest.getAuthorizationUri(), authorizationRequest.getClientId(), authorizationRequest.getRedirectUri(),
                authorizationRequest.getScopes(), authorizationRequest.getState(), authorizationRequest.getAdditionalParameters(),
                authorizationRequest.getAttributes(), authorizationRequest.getAuthorizationRequestUri());
        // sign-ins abandoned at the upstream provider leave with the next one begun
        jdbc.sql("delete from sso_upstream_sign_in where expires_at < now()").update();
        jdbc.sql("insert into sso_upstream_sign_in (key_hash, state, request, expires_at) values (:h, :s, :r, :e)")
                .param("h", HighEntropySecrets.sha256Hex(key)).param("s", authorizationRequest.getState())
                .param("r", secrets.encrypt(json.writeValueAsString(stored))).param("e", Timestamp.from(Instant.now().plus(LIFETIME))).update();
        response.addHeader(HttpHeaders.SET_COOKIE, cookie(request, key, LIFETIME).toString());
    }

    /** Takes the request the browser's cookie points to, if its state is the one that came back; it is gone afterwards either way. */
    @Override
    public OAuth2AuthorizationRequest removeAuthorizationRequest(HttpServletRequest request, HttpServletResponse response) {
        String key = key(request);
        if (key == null) {
            return null;
        }
        response.addHeader(HttpHeaders.SET_COOKIE, cookie(request, "", Duration.ZERO).toString());
        record Row(String state, byte[] request) {
        }
        Row row = jdbc.sql("delete from sso_upstream_sign_in where key_hash = :h and expires_at > now() returning state, request")
                .param("h", HighEntropySecrets.sha256Hex(key)).query((rs, n) -> new Row(rs.getString(1), rs.getBytes(2))).optional().orElse(null);
        String state = request.getParameter(OAuth2ParameterNames.STATE);
        if (row == null || state == null || !MessageDigest.isEqual(row.state().getBytes(StandardCharsets.UTF_8), state.getBytes(StandardCharsets.UTF_8))) {
            return null;
        }
        return read(row.request());
    }

    private OAuth2AuthorizationRequest read(byte[] encrypted) {
        Stored s = json.readValue(secrets.decrypt(encrypted), Stored.class);
        return OAuth2AuthorizationRequest.authorizationCode().authorizationUri(s.authorizationUri()).clientId(s.clientId())
                .redirectUri(s.redirectUri()).scopes(s.scopes()).state(s.state()).additionalParameters(s.additionalParameters())
                .attributes(s.attributes()).authorizationRequestUri(s.authorizationRequestUri()).build();
    }

    private static String key(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (COOKIE.equals(c.getName()) && !c.getValue().isBlank()) {
                    return c.getValue();
                }
            }
        }
        return null;
    }

    /** HttpOnly, SameSite=Lax (the provider sends the browser back with a top-level GET), Secure on a secure request; only for the upstream paths. */
    private static ResponseCookie cookie(HttpServletRequest request, String value, Duration maxAge) {
        return ResponseCookie.from(COOKIE, value).path(request.getContextPath() + UpstreamSignIn.BASE).httpOnly(true).sameSite("Lax")
                .secure(request.isSecure()).maxAge(maxAge).build();
    }
}
