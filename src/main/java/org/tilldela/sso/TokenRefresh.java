package org.tilldela.sso;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClaimAccessor;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.core.OAuth2Token;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AccessTokenAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2RefreshTokenAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2RefreshTokenAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.context.AuthorizationServerContextHolder;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.token.DefaultOAuth2TokenContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenGenerator;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.TransactionOperations;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The refresh-token grant (RFC 6749 §6), lean: it reads and writes only the columns a refresh changes,
 * instead of the authorization server's default, which reads the whole authorization back (its JSON
 * attributes: the sign-in and the authorization request), signs a new ID token and writes everything again.
 *
 * <p>What it keeps from the book and from Tilldela's rules:
 * <ul>
 * <li>the refresh token must belong to the authenticated client, be active (not revoked, not expired),
 *     and the client must still be allowed the grant; scopes may only narrow;</li>
 * <li>rotation with reuse detection: the old token is recorded as spent in the same statement that replaces
 *     it, and only if it still is the authorization's current one — of two requests racing with one token,
 *     the second finds it spent and ends the whole family ({@link RefreshTokenFamilies});</li>
 * <li>the access token is made by the authorization server's token generator, so its claims come from the
 *     release policy (PersonClaims), which records the release in the ledger and refuses the grant when
 *     nothing may go any more (licence ended, agreement revoked, objection);</li>
 * <li>no new ID token: OpenID Connect Core §12.2 lets a refresh response omit it, and it is the costliest
 *     part of the response (an RSA signature and the person's claims); the product already has the ID token
 *     of the sign-in, and the access token opens userinfo.</li>
 * </ul>
 * A request this path is not made for — a DPoP proof, an authorization that was not a person's sign-in — goes
 * to the authorization server's own provider unchanged.
 */
final class TokenRefresh implements AuthenticationProvider {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final JdbcClient jdbc;
    private final TransactionOperations tx;
    private final OAuth2AuthorizationService authorizations;
    private final OAuth2TokenGenerator<? extends OAuth2Token> tokens;
    private final AuthenticationProvider byTheDefault;
    /** The same JSON as the authorization server's JDBC store writes, so that it reads these columns back as its own. */
    private final JsonMapper json = JsonMapper.builder()
            .addModules(org.springframework.security.jackson.SecurityJacksonModules.getModules(TokenRefresh.class.getClassLoader())).build();
    private final String activeTokenMetadata;

    TokenRefresh(JdbcClient jdbc, TransactionOperations tx, OAuth2AuthorizationService authorizations, OAuth2TokenGenerator<? extends OAuth2Token> tokens) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.authorizations = authorizations;
        this.tokens = tokens;
        this.byTheDefault = new OAuth2RefreshTokenAuthenticationProvider(authorizations, tokens);
        Map<String, Object> active = new LinkedHashMap<>();
        active.put(OAuth2Authorization.Token.INVALIDATED_METADATA_NAME, false);
        this.activeTokenMetadata = write(active);
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return OAuth2RefreshTokenAuthenticationToken.class.isAssignableFrom(authentication);
    }

    /** What a refresh needs of the stored authorization. */
    private record Stored(String id, String clientId, String person, String grantType, Set<String> scopes, Instant expiresAt, String metadata) {
    }

    /** How a refresh ended inside its transaction. */
    private sealed interface Outcome {
    }

    private record Issued(OAuth2AccessTokenAuthenticationToken response) implements Outcome {
    }

    /** The token is not (or no longer) the current one of any authorization: it may be a spent one presented again. */
    private record NotCurrent() implements Outcome {
    }

    private record NotForThisPath() implements Outcome {
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        OAuth2RefreshTokenAuthenticationToken grant = (OAuth2RefreshTokenAuthenticationToken) authentication;
        if (grant.getAdditionalParameters().get("dpop_proof") != null) {
            return byTheDefault.authenticate(grant);
        }
        if (!(grant.getPrincipal() instanceof OAuth2ClientAuthenticationToken client) || !client.isAuthenticated() || client.getRegisteredClient() == null) {
            throw new OAuth2AuthenticationException(OAuth2ErrorCodes.INVALID_CLIENT);
        }
        Outcome outcome = tx.execute(status -> refresh(grant, client, status));
        return switch (outcome) {
            case Issued issued -> issued.response();
            case NotForThisPath ignored -> byTheDefault.authenticate(grant);
            case NotCurrent ignored -> {
                // outside the refresh's transaction, so that ending a family is not rolled back with the refusal:
                // a spent token presented again revokes its whole family and is audited there
                authorizations.findByToken(grant.getRefreshToken(), OAuth2TokenType.REFRESH_TOKEN);
                throw new OAuth2AuthenticationException(OAuth2ErrorCodes.INVALID_GRANT);
            }
            case null -> throw new OAuth2AuthenticationException(OAuth2ErrorCodes.SERVER_ERROR);
        };
    }

    private Outcome refresh(OAuth2RefreshTokenAuthenticationToken grant, OAuth2ClientAuthenticationToken clientPrincipal, TransactionStatus status) {
        RegisteredClient client = clientPrincipal.getRegisteredClient();
        String presented = grant.getRefreshToken();
        // read without a lock: the rotation below replaces the token only if neither it nor its metadata changed since
        // this read, so a revocation (or another refresh) committed meanwhile makes the rotation find nothing, and one
        // that comes later waits for the rotation's row lock — a refresh can never write a revoked family's token back
        // as active (a FOR UPDATE here cost every refresh a row lock of its own)
        Stored stored = jdbc.sql("""
                        select id, registered_client_id, principal_name, authorization_grant_type, authorized_scopes, refresh_token_expires_at,
                               refresh_token_metadata
                        from oauth2_authorization where refresh_token_value = :token""")
                .param("token", TokensAtRest.digest(presented))
                .query((rs, n) -> new Stored(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), scopes(rs.getString(5)),
                        rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant(), rs.getString(7)))
                .optional().orElse(null);
        if (stored == null) {
            return new NotCurrent();
        }
        if (!AuthorizationGrantType.AUTHORIZATION_CODE.getValue().equals(stored.grantType())) {
            return new NotForThisPath();
        }
        if (!client.getId().equals(stored.clientId())) {
            throw new OAuth2AuthenticationException(OAuth2ErrorCodes.INVALID_GRANT);
        }
        if (!client.getAuthorizationGrantTypes().contains(AuthorizationGrantType.REFRESH_TOKEN)) {
            throw new OAuth2AuthenticationException(OAuth2ErrorCodes.UNAUTHORIZED_CLIENT);
        }
        Instant now = Instant.now();
        if (invalidated(stored.metadata()) || stored.expiresAt() != null && !now.isBefore(stored.expiresAt())) {
            throw new OAuth2AuthenticationException(OAuth2ErrorCodes.INVALID_GRANT);
        }
        // RFC 6749 §6: no scope beyond what was granted; none asked means all that was granted
        Set<String> scopes = grant.getScopes().isEmpty() ? stored.scopes() : grant.getScopes();
        if (!stored.scopes().containsAll(scopes)) {
            throw new OAuth2AuthenticationException(OAuth2ErrorCodes.INVALID_SCOPE);
        }

        // only a person's sign-in (authorization code) has refresh tokens: the person's id and the one authority the
        // token customizer asks for, instead of reading the whole stored sign-in back
        Authentication person = UsernamePasswordAuthenticationToken.authenticated(stored.person(), null,
                List.of(new SimpleGrantedAuthority(PersonAccounts.PERSON)));
        DefaultOAuth2TokenContext.Builder context = DefaultOAuth2TokenContext.builder()
                .registeredClient(client)
                .principal(person)
                .authorizationServerContext(AuthorizationServerContextHolder.getContext())
                .authorizedScopes(scopes)
                .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
                .authorizationGrant(grant);
        OAuth2Token generated = tokens.generate(context.tokenType(OAuth2TokenType.ACCESS_TOKEN).build());
        if (generated == null) {
            throw new OAuth2AuthenticationException(OAuth2ErrorCodes.SERVER_ERROR);
        }
        OAuth2AccessToken access = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, generated.getTokenValue(), generated.getIssuedAt(),
                generated.getExpiresAt(), scopes);
        Map<String, Object> accessMetadata = new LinkedHashMap<>();
        if (generated instanceof ClaimAccessor claims) {
            accessMetadata.put(OAuth2Authorization.Token.CLAIMS_METADATA_NAME, claims.getClaims());
        }
        accessMetadata.put(OAuth2Authorization.Token.INVALIDATED_METADATA_NAME, false);
        accessMetadata.put(OAuth2TokenFormat.class.getName(), client.getTokenSettings().getAccessTokenFormat().getValue());

        boolean rotate = !client.getTokenSettings().isReuseRefreshTokens();
        OAuth2RefreshToken refresh;
        if (rotate) {
            OAuth2Token made = tokens.generate(context.tokenType(OAuth2TokenType.REFRESH_TOKEN).build());
            if (!(made instanceof OAuth2RefreshToken next)) {
                throw new OAuth2AuthenticationException(OAuth2ErrorCodes.SERVER_ERROR);
            }
            refresh = next;
        } else {
            refresh = null;
        }

        // the new tokens replace the old only if the presented one is still current; the spent one is remembered
        // (as a hash) in the same statement; tokens are stored as digests only (TokensAtRest)
        long replaced = jdbc.sql("""
                        with rotated as (
                            update oauth2_authorization
                            set access_token_value = :access, access_token_issued_at = :accessIssued, access_token_expires_at = :accessExpires,
                                access_token_metadata = :accessMetadata, access_token_type = :accessType, access_token_scopes = :accessScopes,
                                refresh_token_value = coalesce(:refresh, refresh_token_value),
                                refresh_token_issued_at = coalesce(:refreshIssued, refresh_token_issued_at),
                                refresh_token_expires_at = case when :rotate then :refreshExpires else refresh_token_expires_at end,
                                refresh_token_metadata = case when :rotate then :refreshMetadata else refresh_token_metadata end
                            where id = :id and refresh_token_value = :presented and refresh_token_metadata is not distinct from :seenMetadata
                            returning id),
                        spent as (
                            insert into sso_spent_refresh_token (token_hash, authorization_id)
                            select :presentedHash, id from rotated where :rotate
                            on conflict do nothing)
                        select count(*) from rotated""")
                .param("access", TokensAtRest.digest(access.getTokenValue()))
                .param("accessIssued", Timestamp.from(access.getIssuedAt()))
                .param("accessExpires", Timestamp.from(access.getExpiresAt()))
                .param("accessMetadata", write(accessMetadata))
                .param("accessType", access.getTokenType().getValue())
                .param("accessScopes", String.join(",", scopes))
                .param("refresh", refresh == null ? null : TokensAtRest.digest(refresh.getTokenValue()), java.sql.Types.VARCHAR)
                .param("refreshIssued", refresh == null ? null : Timestamp.from(refresh.getIssuedAt()), java.sql.Types.TIMESTAMP)
                .param("refreshExpires", refresh == null || refresh.getExpiresAt() == null ? null : Timestamp.from(refresh.getExpiresAt()), java.sql.Types.TIMESTAMP)
                .param("refreshMetadata", activeTokenMetadata)
                .param("rotate", rotate)
                .param("id", stored.id())
                .param("presented", TokensAtRest.digest(presented))
                .param("seenMetadata", stored.metadata(), java.sql.Types.VARCHAR)
                .param("presentedHash", HighEntropySecrets.sha256Hex(presented))
                .query(Long.class).single();
        if (replaced == 0) {
            // another request rotated it first (this one holds a spent token now), or a revocation came after the read:
            // either way the release it made goes back
            status.setRollbackOnly();
            return new NotCurrent();
        }
        OAuth2RefreshToken current = refresh != null ? refresh : new OAuth2RefreshToken(presented, null, stored.expiresAt());
        return new Issued(new OAuth2AccessTokenAuthenticationToken(client, clientPrincipal, access, current, Map.of()));
    }

    private boolean invalidated(String metadata) {
        if (metadata == null || metadata.isBlank() || metadata.equals(activeTokenMetadata)) {
            // what every rotation writes: no need to parse it
            return false;
        }
        return Boolean.TRUE.equals(json.readValue(metadata, MAP).get(OAuth2Authorization.Token.INVALIDATED_METADATA_NAME));
    }

    /** As the JDBC store writes a token's metadata: an unmodifiable map, whose type id its reader expects. */
    private String write(Map<String, Object> metadata) {
        return json.writeValueAsString(java.util.Collections.unmodifiableMap(metadata));
    }

    private static Set<String> scopes(String stored) {
        return stored == null || stored.isBlank() ? Set.of() : new HashSet<>(Arrays.asList(stored.split(",")));
    }
}
