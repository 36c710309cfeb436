package org.tilldela.provisioning.roster;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.resource.introspection.BadOpaqueTokenException;
import org.springframework.security.oauth2.server.resource.introspection.OAuth2IntrospectionAuthenticatedPrincipal;
import org.springframework.security.oauth2.server.resource.introspection.OpaqueTokenIntrospector;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler;
import org.springframework.security.web.SecurityFilterChain;
import tools.jackson.databind.json.JsonMapper;

/**
 * The roster API's door: OAuth 2 bearer tokens (RFC 6750) that Tilldela's own authorization server issued
 * to a roster client with the client-credentials grant. A token is looked up in the authorization server's
 * own store in-process — so it works whatever format access tokens have, and a revoked or expired token
 * stops at once — and carries its granted scopes as authorities. Without a valid token: 401; with one
 * lacking the scope the endpoint needs: 403 (both with the OneRoster error payload and the RFC 6750
 * WWW-Authenticate header). No session, no administrator credentials.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class RosterSecurity {

    @Bean
    @Order(0)
    SecurityFilterChain rosterApiChain(HttpSecurity http, OAuth2AuthorizationService authorizations, JsonMapper json) throws Exception {
        BearerTokenAuthenticationEntryPoint challenge = new BearerTokenAuthenticationEntryPoint();
        BearerTokenAccessDeniedHandler denied = new BearerTokenAccessDeniedHandler();
        return http.securityMatcher("/ims/oneroster/**")
                .authorizeHttpRequests(a -> a
                        .requestMatchers(Roster.BASE + "/demographics", Roster.BASE + "/demographics/**")
                        .hasAnyAuthority(OneRosterScopes.authority(OneRosterScopes.ROSTER), OneRosterScopes.authority(OneRosterScopes.DEMOGRAPHICS))
                        .anyRequest().hasAnyAuthority(OneRosterScopes.authority(OneRosterScopes.CORE), OneRosterScopes.authority(OneRosterScopes.ROSTER)))
                .oauth2ResourceServer(o -> o
                        .opaqueToken(t -> t.introspector(new InProcessTokens(authorizations)))
                        .authenticationEntryPoint((request, response, e) -> {
                            challenge.commence(request, response, e);
                            body(json, response, "unauthorisedrequest", "A valid bearer token from the roster client's token request is needed.");
                        })
                        .accessDeniedHandler((request, response, e) -> {
                            denied.handle(request, response, e);
                            body(json, response, "forbidden", "The token's scope does not cover this endpoint.");
                        }))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(c -> c.disable())
                .build();
    }

    private static void body(JsonMapper json, HttpServletResponse response, String codeMinor, String description) throws IOException {
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.getOutputStream().write(json.writeValueAsBytes(OneRosterError.payload(codeMinor, description)));
    }

    /**
     * Looks a bearer token up in the authorization server's store: only an active access token of a
     * client-credentials grant is accepted (a person's sign-in token never opens the roster).
     */
    static final class InProcessTokens implements OpaqueTokenIntrospector {

        private final OAuth2AuthorizationService authorizations;

        InProcessTokens(OAuth2AuthorizationService authorizations) {
            this.authorizations = authorizations;
        }

        @Override
        public OAuth2AuthenticatedPrincipal introspect(String token) {
            OAuth2Authorization authorization;
            try {
                authorization = authorizations.findByToken(token, OAuth2TokenType.ACCESS_TOKEN);
            } catch (RuntimeException e) {
                // e.g. the client was removed meanwhile
                throw new BadOpaqueTokenException("The token cannot be read.");
            }
            if (authorization == null || !AuthorizationGrantType.CLIENT_CREDENTIALS.equals(authorization.getAuthorizationGrantType())) {
                throw new BadOpaqueTokenException("Not a roster client's token.");
            }
            OAuth2Authorization.Token<OAuth2AccessToken> access = authorization.getAccessToken();
            if (access == null || !access.isActive() || !token.equals(access.getToken().getTokenValue())) {
                throw new BadOpaqueTokenException("The token has expired or was revoked.");
            }
            List<GrantedAuthority> authorities = new ArrayList<>();
            access.getToken().getScopes().forEach(s -> authorities.add(new SimpleGrantedAuthority(OneRosterScopes.authority(s))));
            Map<String, Object> attributes = new LinkedHashMap<>();
            attributes.put("client_id", authorization.getPrincipalName());
            attributes.put("scope", List.copyOf(access.getToken().getScopes()));
            return new OAuth2IntrospectionAuthenticatedPrincipal(authorization.getPrincipalName(), attributes, authorities);
        }
    }
}
