package org.tilldela.sso;

import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2DeviceCode;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.core.OAuth2Token;
import org.springframework.security.oauth2.core.OAuth2UserCode;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationCode;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;

/**
 * Tokens are kept only as SHA-256 digests: whoever reads the database (a backup, a replica, a leaked dump) holds no
 * authorization code, access token, refresh token or ID token that works. The values are 256 bits or more of
 * randomness (or a signed ID token), so a plain digest is enough — no salt or slow hash, which would cost every token
 * request. The authorization server's JDBC store stores and looks up whatever value it is given: this wrapper gives it
 * the digest on the way in, looks a presented token up by its digest, and puts the presented value back into the
 * authorization it found, so the server's providers (introspection, revocation, logout) match it as before. A token
 * the caller did not present stays a digest in memory: nothing shows a stored token again after it was issued.
 *
 * <p>The consent {@code state} is not a token and is looked up as it is.
 */
final class TokensAtRest implements OAuth2AuthorizationService {

    /** What marks a stored value as a digest, so that a value read back and saved again is not digested twice. */
    static final String PREFIX = "sha256:";

    private final OAuth2AuthorizationService store;

    TokensAtRest(OAuth2AuthorizationService store) {
        this.store = store;
    }

    /**
     * What is stored for a token value presented, or just made: always its digest — a presented value that looks like
     * a stored one is a token like any other, so that a digest read out of the database never works as the token.
     */
    static String digest(String value) {
        return value == null ? null : PREFIX + HighEntropySecrets.sha256Hex(value);
    }

    /** What is stored for a token of an authorization being saved: its digest, or the stored value it was read back with. */
    static String stored(String value) {
        return value == null || value.startsWith(PREFIX) ? value : digest(value);
    }

    /** The hex SHA-256 of the token a stored value stands for. */
    static String hexOf(String stored) {
        return stored.startsWith(PREFIX) ? stored.substring(PREFIX.length()) : HighEntropySecrets.sha256Hex(stored);
    }

    @Override
    public void save(OAuth2Authorization authorization) {
        store.save(digested(authorization));
    }

    @Override
    public void remove(OAuth2Authorization authorization) {
        store.remove(authorization);
    }

    @Override
    public OAuth2Authorization findById(String id) {
        return store.findById(id);
    }

    @Override
    public OAuth2Authorization findByToken(String token, OAuth2TokenType tokenType) {
        if (tokenType != null && "state".equals(tokenType.getValue())) {
            return store.findByToken(token, tokenType);
        }
        OAuth2Authorization found = store.findByToken(digest(token), tokenType);
        if (found == null && tokenType == null) {
            found = store.findByToken(token, new OAuth2TokenType("state"));
        }
        return found == null ? null : presented(found, token);
    }

    private static OAuth2Authorization digested(OAuth2Authorization authorization) {
        OAuth2Authorization.Builder builder = OAuth2Authorization.from(authorization);
        boolean changed = false;
        for (Class<? extends OAuth2Token> kind : KINDS) {
            OAuth2Authorization.Token<? extends OAuth2Token> held = authorization.getToken(kind);
            if (held != null && !held.getToken().getTokenValue().startsWith(PREFIX)) {
                builder.token(withValue(held.getToken(), digest(held.getToken().getTokenValue())), metadata -> metadata.putAll(held.getMetadata()));
                changed = true;
            }
        }
        return changed ? builder.build() : authorization;
    }

    /** The authorization with the token that matched the presented value carrying that value again. */
    private static OAuth2Authorization presented(OAuth2Authorization found, String token) {
        String stored = digest(token);
        for (Class<? extends OAuth2Token> kind : KINDS) {
            OAuth2Authorization.Token<? extends OAuth2Token> held = found.getToken(kind);
            if (held != null && held.getToken().getTokenValue().equals(stored)) {
                return OAuth2Authorization.from(found).token(withValue(held.getToken(), token), metadata -> metadata.putAll(held.getMetadata())).build();
            }
        }
        return found;
    }

    private static final java.util.List<Class<? extends OAuth2Token>> KINDS = java.util.List.of(OAuth2AuthorizationCode.class, OAuth2AccessToken.class,
            OAuth2RefreshToken.class, OidcIdToken.class, OAuth2UserCode.class, OAuth2DeviceCode.class);

    /** The same token with another value: each kind the authorization server stores is one of these classes exactly. */
    private static OAuth2Token withValue(OAuth2Token token, String value) {
        return switch (token) {
            case OidcIdToken id -> new OidcIdToken(value, id.getIssuedAt(), id.getExpiresAt(), id.getClaims());
            case OAuth2AccessToken access -> new OAuth2AccessToken(access.getTokenType(), value, access.getIssuedAt(), access.getExpiresAt(), access.getScopes());
            case OAuth2RefreshToken refresh -> new OAuth2RefreshToken(value, refresh.getIssuedAt(), refresh.getExpiresAt());
            case OAuth2AuthorizationCode code -> new OAuth2AuthorizationCode(value, code.getIssuedAt(), code.getExpiresAt());
            case OAuth2UserCode user -> new OAuth2UserCode(value, user.getIssuedAt(), user.getExpiresAt());
            case OAuth2DeviceCode device -> new OAuth2DeviceCode(value, device.getIssuedAt(), device.getExpiresAt());
            default -> throw new IllegalStateException("A token of a kind not kept: " + token.getClass().getName());
        };
    }
}
