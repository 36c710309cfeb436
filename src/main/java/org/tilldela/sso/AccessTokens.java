package org.tilldela.sso;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal;
import org.springframework.security.oauth2.core.OAuth2TokenIntrospectionClaimNames;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.authentication.OpaqueTokenAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.introspection.BadOpaqueTokenException;
import org.springframework.security.oauth2.server.resource.introspection.OAuth2IntrospectionAuthenticatedPrincipal;
import org.springframework.security.oauth2.server.resource.introspection.OpaqueTokenIntrospector;

/**
 * The access tokens the provider's own userinfo endpoint accepts. A sign-in client's access tokens are references
 * (opaque, RFC 7662 introspection tells what they stand for): they are looked up in the authorization store, so a
 * revoked or expired one stops at once, on every node. A signed one (JWT: a system client's, or a sign-in client's
 * registered before references) is verified against the published keys as before.
 */
final class AccessTokens {

    private AccessTokens() {
    }

    static AuthenticationManager bearer(JwtDecoder jwtDecoder, OAuth2AuthorizationService authorizations) {
        JwtAuthenticationProvider signed = new JwtAuthenticationProvider(jwtDecoder);
        OpaqueTokenAuthenticationProvider reference = new OpaqueTokenAuthenticationProvider(new Stored(authorizations));
        return authentication -> {
            String token = ((BearerTokenAuthenticationToken) authentication).getToken();
            // a JWS in compact form has exactly two dots; a reference token is base64url, which has none
            return (token.chars().filter(c -> c == '.').count() == 2 ? signed : reference).authenticate(authentication);
        };
    }

    /** Introspection in-process: the store is the truth for a reference token. */
    private static final class Stored implements OpaqueTokenIntrospector {

        private final OAuth2AuthorizationService authorizations;

        Stored(OAuth2AuthorizationService authorizations) {
            this.authorizations = authorizations;
        }

        @Override
        public OAuth2AuthenticatedPrincipal introspect(String token) {
            OAuth2Authorization authorization;
            try {
                authorization = authorizations.findByToken(token, OAuth2TokenType.ACCESS_TOKEN);
            } catch (RuntimeException e) {
                // e.g. its client was removed meanwhile
                throw new BadOpaqueTokenException("The token cannot be read.");
            }
            OAuth2Authorization.Token<OAuth2AccessToken> access = authorization == null ? null : authorization.getAccessToken();
            if (access == null || !access.isActive() || !token.equals(access.getToken().getTokenValue())) {
                throw new BadOpaqueTokenException("The token is not active.");
            }
            Map<String, Object> attributes = new LinkedHashMap<>();
            if (access.getClaims() != null) {
                attributes.putAll(access.getClaims());
            }
            // as Instants, which the bearer authentication reads them as (stored claims come back as the JSON made them)
            attributes.put(OAuth2TokenIntrospectionClaimNames.IAT, access.getToken().getIssuedAt());
            attributes.put(OAuth2TokenIntrospectionClaimNames.EXP, access.getToken().getExpiresAt());
            attributes.remove(OAuth2TokenIntrospectionClaimNames.NBF);
            List<GrantedAuthority> authorities = new ArrayList<>();
            access.getToken().getScopes().forEach(s -> authorities.add(new SimpleGrantedAuthority("SCOPE_" + s)));
            String name = attributes.get("sub") instanceof String sub ? sub : authorization.getPrincipalName();
            return new OAuth2IntrospectionAuthenticatedPrincipal(name, attributes, authorities);
        }
    }
}
