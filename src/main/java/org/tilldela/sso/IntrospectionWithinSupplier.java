package org.tilldela.sso;

import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenIntrospection;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2TokenIntrospectionAuthenticationToken;

/**
 * Token introspection (RFC 7662) answers a client only about the tokens of its own supplier: tokens issued to
 * itself or to another client of a product of the same supplier. About anyone else's token it says
 * {@code {"active":false}} and nothing more — exactly what it says about an unknown token, so the caller cannot
 * tell the two apart (§2.2 allows it, §4 asks the server to restrict who may introspect what). Without this the
 * authorization server answers any authenticated client about any token, and one supplier holding another's
 * token would learn that supplier's pairwise pseudonym for the person, the very link the pairwise subject
 * exists to prevent.
 *
 * <p>Wraps the authorization server's own introspection, which finds the token in the store (reference and JWT
 * access tokens and refresh tokens alike) and names the client it was issued to in {@code client_id}.
 */
final class IntrospectionWithinSupplier implements AuthenticationProvider {

    private final AuthenticationProvider introspection;
    private final Function<String, Optional<UUID>> supplierOfClient;

    /** {@code supplierOfClient}: the supplier whose product a registered client belongs to (empty when unknown). */
    IntrospectionWithinSupplier(AuthenticationProvider introspection, Function<String, Optional<UUID>> supplierOfClient) {
        this.introspection = introspection;
        this.supplierOfClient = supplierOfClient;
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        Authentication answer = introspection.authenticate(authentication);
        if (!(answer instanceof OAuth2TokenIntrospectionAuthenticationToken introspected) || !introspected.getTokenClaims().isActive()) {
            return answer;
        }
        OAuth2ClientAuthenticationToken caller = (OAuth2ClientAuthenticationToken) introspected.getPrincipal();
        String callerId = caller.getRegisteredClient() == null ? null : caller.getRegisteredClient().getClientId();
        String issuedTo = introspected.getTokenClaims().getClientId();
        if (callerId != null && (callerId.equals(issuedTo) || sameSupplier(callerId, issuedTo))) {
            return answer;
        }
        // the answer the authorization server gives for a token it does not know
        return new OAuth2TokenIntrospectionAuthenticationToken(((OAuth2TokenIntrospectionAuthenticationToken) authentication).getToken(), caller,
                OAuth2TokenIntrospection.builder().build());
    }

    private boolean sameSupplier(String callerId, String issuedTo) {
        if (issuedTo == null) {
            return false;
        }
        Optional<UUID> callers = supplierOfClient.apply(callerId);
        return callers.isPresent() && callers.equals(supplierOfClient.apply(issuedTo));
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return introspection.supports(authentication);
    }
}
