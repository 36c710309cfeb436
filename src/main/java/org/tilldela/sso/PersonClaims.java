package org.tilldela.sso;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.tilldela.access.Release;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.catalog.Attribute;
import org.tilldela.ledger.Channel;

/**
 * What a product learns about the person signing in: only what {@link ReleasePolicy} lets go, each time
 * recorded in the disclosure ledger. The subject is the pairwise pseudonym (stable per person and supplier,
 * unlinkable across suppliers), never the person's id. A token request whose release is empty — licence
 * ended, agreement revoked, objection recorded — is refused, so the next refresh after such a change fails.
 */
@Component
class PersonClaims {

    /** The release made for one token response, shared by its access token and ID token (one ledger record, not two). */
    private static final String RELEASE = PersonClaims.class.getName() + ".release";

    private final ReleasePolicy policy;
    private final SignInClients clients;
    private final SignInLicence licence;
    private final java.time.Duration idTokenTtl;
    private final org.springframework.context.ApplicationEventPublisher events;

    PersonClaims(ReleasePolicy policy, SignInClients clients, SignInLicence licence, SsoSettings settings,
                 org.springframework.context.ApplicationEventPublisher events) {
        this.events = events;
        this.policy = policy;
        this.clients = clients;
        this.licence = licence;
        this.idTokenTtl = settings.idTokenTtl();
    }

    static boolean isPerson(Authentication principal) {
        return principal != null && principal.getAuthorities().stream().anyMatch(a -> a.getAuthority().equals(PersonAccounts.PERSON));
    }

    /** Before a code is issued: does the person hold a licence for the client's product today? */
    boolean licensed(Authentication principal, String clientId) {
        return licence.holds(UUID.fromString(principal.getName()), clients.productOf(clientId).orElse(null));
    }

    UUID productOf(String clientId) {
        return clients.productOf(clientId).orElseThrow(() -> denied(OAuth2ErrorCodes.INVALID_CLIENT, "The client is not a product's sign-in client."));
    }

    /** Fills the access token's and ID token's claims for a person; access tokens are signed ES256 (SigningKeys). */
    void customize(JwtEncodingContext context) {
        if (org.springframework.security.oauth2.server.authorization.OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
            context.getJwsHeader().algorithm(org.springframework.security.oauth2.jose.jws.SignatureAlgorithm.ES256);
        }
        Authentication principal = context.getPrincipal();
        if (!isPerson(principal)) {
            return; // a client acting for itself (client credentials): its own id is the subject
        }
        Release release = releaseFor(principal, context.getRegisteredClient().getClientId(), context.getAuthorizationGrantType(), context.getTokenType());
        context.getClaims().subject(subject(release));
        signedIn(context.getAuthorizationGrantType(), context.getTokenType(), release);
        if (OidcParameterNames.ID_TOKEN.equals(context.getTokenType().getValue())) {
            claims(release).forEach((name, value) -> context.getClaims().claim(name, value));
            // the authorization server gives every ID token 30 minutes, whatever the settings; ours say how long,
            // and the signing keys stay published exactly that long after a rotation (SigningKeys)
            context.getClaims().claims(c -> c.put("exp", ((java.time.Instant) c.get("iat")).plus(idTokenTtl)));
        }
    }

    /**
     * Fills a reference (opaque) access token's claims for a person — kept in the store, answered by introspection:
     * the subject is the pseudonym, and the release is made and recorded as for a signed one.
     */
    void customize(org.springframework.security.oauth2.server.authorization.token.OAuth2TokenClaimsContext context) {
        Authentication principal = context.getPrincipal();
        if (isPerson(principal)) {
            Release release = releaseFor(principal, context.getRegisteredClient().getClientId(), context.getAuthorizationGrantType(),
                    context.getTokenType());
            context.getClaims().subject(subject(release));
            signedIn(context.getAuthorizationGrantType(), context.getTokenType(), release);
        }
    }

    /**
     * A code redemption makes exactly one access token (signed or reference), a refresh makes one too but is not a
     * sign-in: the access token of an authorization-code grant is the one sign-in to count.
     */
    private void signedIn(org.springframework.security.oauth2.core.AuthorizationGrantType grant,
                          org.springframework.security.oauth2.server.authorization.OAuth2TokenType token, Release release) {
        if (org.springframework.security.oauth2.core.AuthorizationGrantType.AUTHORIZATION_CODE.equals(grant)
                && org.springframework.security.oauth2.server.authorization.OAuth2TokenType.ACCESS_TOKEN.equals(token)) {
            events.publishEvent(new SignedInToProduct(release.personId(), release.productId(), release.supplierId(), java.time.Instant.now()));
        }
    }

    /** The userinfo endpoint's answer: a release of its own, over its own channel. */
    Map<String, Object> userInfo(OAuth2Authorization authorization, String clientId) {
        UUID person = UUID.fromString(authorization.getPrincipalName());
        Release release = policy.release(person, productOf(clientId), Channel.SSO_USERINFO);
        if (release.isEmpty()) {
            throw denied(OAuth2ErrorCodes.INVALID_TOKEN, "Nothing may be released about this person to this product any more.");
        }
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", subject(release));
        claims.putAll(claims(release));
        return claims;
    }

    /**
     * The release a token carries. A sign-in's tokens (code redemption: access token and ID token) share one release of
     * everything that may go, over the ID token's channel. An access token made by a refresh carries only the subject —
     * the person's pseudonym is all a product learns from it (introspection) — so that is all its release sends and the
     * ledger records (README "Disclosure ledger"); whether anything may go at all is decided as for a sign-in, so a
     * revoked agreement, an objection or an ended licence still ends the refresh.
     */
    private Release releaseFor(Authentication principal, String clientId,
                               org.springframework.security.oauth2.core.AuthorizationGrantType grant,
                               org.springframework.security.oauth2.server.authorization.OAuth2TokenType token) {
        boolean refreshedAccessToken = org.springframework.security.oauth2.core.AuthorizationGrantType.REFRESH_TOKEN.equals(grant)
                && org.springframework.security.oauth2.server.authorization.OAuth2TokenType.ACCESS_TOKEN.equals(token);
        RequestAttributes request = RequestContextHolder.getRequestAttributes();
        String key = RELEASE + "." + clientId + "." + principal.getName() + (refreshedAccessToken ? ".access" : "");
        if (request != null && request.getAttribute(key, RequestAttributes.SCOPE_REQUEST) instanceof Release cached) {
            return cached;
        }
        UUID person = UUID.fromString(principal.getName());
        Release release = refreshedAccessToken
                ? policy.releaseOnly(person, productOf(clientId), Channel.SSO_ACCESS_TOKEN, java.util.Set.of(Attribute.PSEUDONYMOUS_ID))
                : policy.release(person, productOf(clientId), Channel.SSO_ID_TOKEN);
        if (release.isEmpty()) {
            // the reason (no licence, objection, no agreement…) stays here: the client learns only that the grant is gone
            throw denied(OAuth2ErrorCodes.INVALID_GRANT, "The person may no longer sign in to this product.");
        }
        if (request != null) {
            request.setAttribute(key, release, RequestAttributes.SCOPE_REQUEST);
        }
        return release;
    }

    private static String subject(Release release) {
        Object pseudonym = release.values().get(Attribute.PSEUDONYMOUS_ID);
        if (pseudonym == null) {
            throw denied(OAuth2ErrorCodes.SERVER_ERROR, "The product's data-needs declaration has no pseudonymous id, which sign-in needs.");
        }
        return pseudonym.toString();
    }

    /**
     * Claim names: OpenID Connect's standard ones where there is one (given_name, family_name, email), and
     * the school attributes under plain names documented in the README.
     */
    static Map<String, Object> claims(Release release) {
        Map<String, Object> claims = new LinkedHashMap<>();
        release.values().forEach((attribute, value) -> {
            String name = switch (attribute) {
                case PSEUDONYMOUS_ID -> null; // it is the subject
                case GIVEN_NAME -> "given_name";
                case FAMILY_NAME -> "family_name";
                case EMAIL -> "email";
                case ORGANISATION -> "organisation";
                case SCHOOL_UNIT -> "school_unit";
                case GROUPS -> "groups";
                case ROLES -> "roles";
                case GRADE -> "grade";
                case GUARDIAN_LINKS -> "guardians";
                case PHONE -> "phone_number";
                case CIVIC_NUMBER -> "civic_number";
                case PROTECTION_FLAG -> "protected_identity";
            };
            if (name != null && value != null) {
                claims.put(name, plain(value));
            }
        });
        return claims;
    }

    /**
     * Claims are also stored with the authorization (JSON with type ids, allow-listed types only): lists and
     * maps go in as ArrayList and LinkedHashMap, not the JDK's immutable ones, which its reader refuses.
     */
    private static Object plain(Object value) {
        if (value instanceof java.util.Collection<?> list) {
            return new java.util.ArrayList<>(list.stream().map(PersonClaims::plain).toList());
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), plain(v)));
            return copy;
        }
        return value instanceof UUID id ? id.toString() : value;
    }

    static OAuth2AuthenticationException denied(String code, String description) {
        return new OAuth2AuthenticationException(new OAuth2Error(code, description, null));
    }

}
