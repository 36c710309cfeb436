package org.tilldela.sso;

import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.transaction.support.TransactionOperations;
import org.tilldela.governance.AuditTrail;

/**
 * Refresh tokens rotate on every use; a spent one presented again means it was copied — by the product
 * or by a thief, nobody can tell which — so the whole family (the authorization and every token it
 * holds) is revoked and the person must sign in again (OAuth 2.0 Security BCP, refresh token rotation).
 * Spent tokens are remembered only as SHA-256 hashes, until the authorization they belonged to is gone.
 *
 * <p>Every call runs in one transaction, on one connection: the authorization server's row mapper looks up
 * the registered client while it still holds the connection it reads the authorization on, and outside a
 * transaction that lookup takes a second connection from the pool — with as many token requests at once as
 * the pool has connections, each held one and waited for another until the pool's timeout (30 s), which the
 * sign-in benchmark ran into at 16 concurrent requests. Saving in one transaction also commits the rotation
 * and the spent token's record together.
 */
class RefreshTokenFamilies implements OAuth2AuthorizationService {

    private final OAuth2AuthorizationService delegate;
    private final JdbcClient jdbc;
    private final AuditTrail audit;
    private final TransactionOperations tx;

    RefreshTokenFamilies(OAuth2AuthorizationService delegate, JdbcClient jdbc, AuditTrail audit, TransactionOperations tx) {
        this.delegate = delegate;
        this.jdbc = jdbc;
        this.audit = audit;
        this.tx = tx;
    }

    @Override
    public void save(OAuth2Authorization authorization) {
        tx.executeWithoutResult(status -> saveOnOneConnection(authorization));
    }

    private void saveOnOneConnection(OAuth2Authorization authorization) {
        // only the stored token's value (its digest, TokensAtRest): this runs on every token request, and reading the
        // whole authorization back (its JSON attributes and metadata) would double the work of each save
        String spent = jdbc.sql("select refresh_token_value from oauth2_authorization where id = :id").param("id", authorization.getId())
                .query(String.class).optional().orElse(null);
        OAuth2Authorization.Token<OAuth2RefreshToken> now = authorization.getRefreshToken();
        if (spent != null && (now == null || !TokensAtRest.stored(now.getToken().getTokenValue()).equals(spent))) {
            jdbc.sql("insert into sso_spent_refresh_token (token_hash, authorization_id) values (:h, :a) on conflict do nothing")
                    .param("h", TokensAtRest.hexOf(spent)).param("a", authorization.getId()).update();
        }
        delegate.save(authorization);
    }

    @Override
    public void remove(OAuth2Authorization authorization) {
        tx.executeWithoutResult(status -> {
            delegate.remove(authorization);
            jdbc.sql("delete from sso_spent_refresh_token where authorization_id = :a").param("a", authorization.getId()).update();
        });
    }

    @Override
    public OAuth2Authorization findById(String id) {
        return tx.execute(status -> delegate.findById(id));
    }

    @Override
    public OAuth2Authorization findByToken(String token, OAuth2TokenType tokenType) {
        return tx.execute(status -> findOnOneConnection(token, tokenType));
    }

    private OAuth2Authorization findOnOneConnection(String token, OAuth2TokenType tokenType) {
        OAuth2Authorization found = delegate.findByToken(token, tokenType);
        if (found != null || tokenType != null && !OAuth2TokenType.REFRESH_TOKEN.equals(tokenType)) {
            return found;
        }
        String family = jdbc.sql("select authorization_id from sso_spent_refresh_token where token_hash = :h").param("h", HighEntropySecrets.sha256Hex(token))
                .query(String.class).optional().orElse(null);
        if (family != null) {
            OAuth2Authorization authorization = delegate.findById(family);
            if (authorization != null) {
                remove(authorization);
                audit.record("sso", "SSO_REFRESH_TOKEN_REUSED", "person", authorization.getPrincipalName(),
                        Map.of("client", authorization.getRegisteredClientId(), "authorization", authorization.getId()));
            }
        }
        return null;
    }
}
