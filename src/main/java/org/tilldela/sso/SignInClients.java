package org.tilldela.sso;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.catalog.Catalog;
import org.tilldela.governance.AuditTrail;

/**
 * A product's sign-in integration (an OpenID Connect client): registered by an administrator for one
 * product, with exact redirect URIs. Confidential clients get a secret, shown once; public clients (apps
 * that cannot keep a secret) have none. Every client must use PKCE with S256 (OAuth 2.1), and refresh
 * tokens rotate on every use.
 */
@Service
public class SignInClients {

    private final RegisteredClientRepository clients;
    private final JdbcClient jdbc;
    private final Catalog catalog;
    private final AuditTrail audit;
    private final PasswordEncoder secrets = HighEntropySecrets.encoder();
    private final Duration accessTokenTtl;
    private final Duration refreshTokenTtl;

    SignInClients(RegisteredClientRepository clients, JdbcClient jdbc, Catalog catalog, AuditTrail audit, SsoSettings settings) {
        this.clients = clients;
        this.jdbc = jdbc;
        this.catalog = catalog;
        this.audit = audit;
        this.accessTokenTtl = settings.accessTokenTtl();
        this.refreshTokenTtl = settings.refreshTokenTtl();
    }

    /** What registering answers: the client id, and for a confidential client its secret — here and nowhere else. */
    public record Registration(String clientId, String clientSecret) {
    }

    public record SignInClient(String clientId, String name, UUID productId, boolean confidential, List<String> redirectUris, String initiateLoginUri,
                               List<String> postLogoutRedirectUris, Instant registeredAt, String registeredBy) {
    }

    @Transactional
    public Registration register(UUID productId, String name, List<String> redirectUris, boolean confidential, String actor) {
        return register(productId, name, redirectUris, confidential, null, actor);
    }

    /** {@code initiateLoginUri}: where the product starts a sign-in itself (optional; the start page's tile links there). */
    @Transactional
    public Registration register(UUID productId, String name, List<String> redirectUris, boolean confidential, String initiateLoginUri, String actor) {
        return register(productId, name, redirectUris, confidential, initiateLoginUri, List.of(), actor);
    }

    /**
     * {@code postLogoutRedirectUris}: where the product may send a person back after signing them out here
     * (OpenID Connect RP-Initiated Logout; optional, matched exactly like redirect URIs).
     */
    @Transactional
    public Registration register(UUID productId, String name, List<String> redirectUris, boolean confidential, String initiateLoginUri,
                                 List<String> postLogoutRedirectUris, String actor) {
        check(productId, name, redirectUris, initiateLoginUri);
        List<String> afterSignOut = postLogoutRedirectUris == null ? List.of() : postLogoutRedirectUris;
        afterSignOut.forEach(SignInClients::checkRedirectUri);
        checkStorable(afterSignOut, "post-logout redirect URIs");
        String secret = confidential ? HighEntropySecrets.newSecret() : null;
        String clientId = "product-" + UUID.randomUUID();
        save(clientId, productId, name, redirectUris, confidential ? secrets.encode(secret) : null, initiateLoginUri, afterSignOut, actor);
        return new Registration(clientId, secret);
    }

    /**
     * A confidential client for a product's own systems, without a person and without redirects: only the
     * client-credentials grant, with exactly the given scopes (e.g. the OneRoster roster scopes, chosen by
     * the module that serves them). The secret is in the answer and nowhere else.
     */
    @Transactional
    public Registration registerSystemClient(UUID productId, String name, java.util.Set<String> scopes, String actor) {
        if (productId == null || catalog.product(productId).isEmpty()) {
            throw new SignInClientRefused("No product with that id.");
        }
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new SignInClientRefused("A client needs a name of at most 200 characters.");
        }
        if (scopes == null || scopes.isEmpty() || scopes.stream().anyMatch(s -> s == null || s.isBlank() || s.contains(" ") || OidcScopes.OPENID.equals(s))) {
            throw new SignInClientRefused("A system client needs at least one scope (no openid: it signs in no person).");
        }
        String secret = HighEntropySecrets.newSecret();
        String clientId = "system-" + UUID.randomUUID();
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString()).clientId(clientId).clientName(name.strip())
                .clientSecret(secrets.encode(secret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .scopes(s -> s.addAll(scopes))
                .tokenSettings(TokenSettings.builder().accessTokenTimeToLive(accessTokenTtl).build())
                .build());
        jdbc.sql("insert into sso_client (client_id, product_id, confidential, initiate_login_uri, registered_by) values (:c, :p, true, null, :by)")
                .param("c", clientId).param("p", productId).param("by", actor).update();
        audit.record(actor, "SSO_SYSTEM_CLIENT_REGISTERED", "product", productId.toString(),
                Map.of("client", clientId, "scopes", String.join(" ", new java.util.TreeSet<>(scopes))));
        return new Registration(clientId, secret);
    }

    /** The rules every registration meets, checked before anything is stored. */
    void check(UUID productId, String name, List<String> redirectUris, String initiateLoginUri) {
        if (productId == null || catalog.product(productId).isEmpty()) {
            throw new SignInClientRefused("No product with that id.");
        }
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new SignInClientRefused("A client needs a name of at most 200 characters.");
        }
        if (redirectUris == null || redirectUris.isEmpty()) {
            throw new SignInClientRefused("A client needs at least one redirect URI.");
        }
        redirectUris.forEach(SignInClients::checkRedirectUri);
        checkStorable(redirectUris, "redirect URIs");
        if (initiateLoginUri != null && !initiateLoginUri.isBlank()) {
            checkRedirectUri(initiateLoginUri);
        }
    }

    /** The authorization server keeps a client's URIs comma-separated in one column of at most this many characters. */
    static final int MAX_URIS_LENGTH = 1000;

    /** Told when filed, not by a server error when approved: the URIs must fit the authorization server's column. */
    private static void checkStorable(List<String> uris, String what) {
        int length = String.join(",", uris).length();
        if (length > MAX_URIS_LENGTH) {
            throw new SignInClientRefused("The " + what + " together are at most " + MAX_URIS_LENGTH + " characters (these are " + length + ").");
        }
    }

    /** The secret a confidential client is given, and its stored form. */
    record NewSecret(String secret, String encoded) {
    }

    NewSecret newSecret() {
        String secret = HighEntropySecrets.newSecret();
        return new NewSecret(secret, secrets.encode(secret));
    }

    /** Registers with the authorization server (a null {@code encodedSecret}: a public client). */
    void save(String clientId, UUID productId, String name, List<String> redirectUris, String encodedSecret, String initiateLoginUri, String actor) {
        save(clientId, productId, name, redirectUris, encodedSecret, initiateLoginUri, List.of(), actor);
    }

    void save(String clientId, UUID productId, String name, List<String> redirectUris, String encodedSecret, String initiateLoginUri,
              List<String> postLogoutRedirectUris, String actor) {
        boolean confidential = encodedSecret != null;
        RegisteredClient.Builder client = RegisteredClient.withId(UUID.randomUUID().toString()).clientId(clientId).clientName(name.strip())
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
                .redirectUris(uris -> uris.addAll(redirectUris))
                .postLogoutRedirectUris(uris -> uris.addAll(postLogoutRedirectUris))
                .scope(OidcScopes.OPENID)
                .clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false).build())
                .tokenSettings(TokenSettings.builder().accessTokenTimeToLive(accessTokenTtl).refreshTokenTimeToLive(refreshTokenTtl)
                        .reuseRefreshTokens(false).idTokenSignatureAlgorithm(SignatureAlgorithm.RS256)
                        // access tokens by reference: the product introspects them (or calls userinfo); signing one on every
                        // refresh was the largest single cost of the grant (README "Which token is signed how")
                        .accessTokenFormat(org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat.REFERENCE).build());
        if (confidential) {
            client.clientSecret(encodedSecret)
                    .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                    .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                    // the supplier's own systems, without a person: only what the client itself may see
                    .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS);
        } else {
            client.clientAuthenticationMethod(ClientAuthenticationMethod.NONE);
        }
        clients.save(client.build());
        jdbc.sql("insert into sso_client (client_id, product_id, confidential, initiate_login_uri, registered_by) values (:c, :p, :conf, :init, :by)")
                .param("c", clientId).param("p", productId).param("conf", confidential)
                .param("init", initiateLoginUri == null || initiateLoginUri.isBlank() ? null : initiateLoginUri.strip()).param("by", actor).update();
        audit.record(actor, "SSO_CLIENT_REGISTERED", "product", productId.toString(),
                Map.of("client", clientId, "confidential", confidential, "redirectUris", redirectUris.size()));
    }

    public List<SignInClient> all() {
        return jdbc.sql("""
                        select c.client_id, r.client_name, c.product_id, c.confidential, r.redirect_uris, c.initiate_login_uri, c.registered_at, c.registered_by,
                               r.post_logout_redirect_uris
                        from sso_client c join oauth2_registered_client r on r.client_id = c.client_id
                        order by r.client_name, c.client_id""")
                .query((rs, n) -> new SignInClient(rs.getString(1), rs.getString(2), rs.getObject(3, UUID.class), rs.getBoolean(4),
                        uriList(rs.getString(5)), rs.getString(6), uriList(rs.getString(9)), rs.getTimestamp(7).toInstant(), rs.getString(8)))
                .list();
    }

    /** The authorization server keeps a client's URIs comma-separated. */
    private static List<String> uriList(String stored) {
        return stored == null || stored.isBlank() ? List.of() : List.of(stored.split(","));
    }

    /** Where each product starts a sign-in itself, for the products that said so. */
    public java.util.Map<UUID, String> initiateLoginUris(java.util.Collection<UUID> productIds) {
        if (productIds.isEmpty()) {
            return java.util.Map.of();
        }
        java.util.Map<UUID, String> uris = new java.util.HashMap<>();
        jdbc.sql("select product_id, initiate_login_uri from sso_client where product_id in (:p) and initiate_login_uri is not null order by registered_at")
                .param("p", productIds).query((rs, n) -> uris.put(rs.getObject(1, UUID.class), rs.getString(2))).list();
        return uris;
    }

    /**
     * The product a client signs in to. Asked on every token request, so remembered: a client's product is set
     * when it is registered and never changes (nothing updates {@code sso_client.product_id}), and a client that
     * is removed can no longer authenticate, so a remembered answer never lets a token out that the database
     * would refuse. Only clients that exist are remembered.
     */
    public Optional<UUID> productOf(String clientId) {
        UUID known = productOfClient.get(clientId);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<UUID> product = jdbc.sql("select product_id from sso_client where client_id = :c").param("c", clientId).query(UUID.class).optional();
        product.ifPresent(p -> {
            if (productOfClient.size() >= 10_000) {
                productOfClient.clear();
            }
            productOfClient.put(clientId, p);
        });
        return product;
    }

    private final java.util.Map<String, UUID> productOfClient = new java.util.concurrent.ConcurrentHashMap<>();

    /** The supplier whose product a client belongs to: which tokens the client may introspect (IntrospectionWithinSupplier). */
    Optional<UUID> supplierOf(String clientId) {
        return productOf(clientId).flatMap(catalog::product).map(org.tilldela.catalog.Product::supplierId);
    }

    /**
     * Exact redirect URIs only (the authorization server compares them character for character): absolute,
     * no fragment, no wildcard; https, except http on the loopback address for native apps (RFC 8252). No comma: a URI
     * may hold one, but the authorization server's store keeps a client's URIs as one comma-separated list, so
     * {@code https://app.example/cb,http://elsewhere.example/cb}, reviewed as one https URI, would come back as two.
     */
    static void checkRedirectUri(String value) {
        if (value != null && value.contains(",")) {
            throw new SignInClientRefused("A redirect URI must not contain a comma: " + value);
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException | NullPointerException e) {
            throw new SignInClientRefused("Not a valid redirect URI: " + value);
        }
        if (!uri.isAbsolute() || uri.getHost() == null || uri.getFragment() != null || value.contains("*")) {
            throw new SignInClientRefused("A redirect URI must be absolute, without fragment or wildcard: " + value);
        }
        boolean loopback = uri.getHost().equals("localhost") || uri.getHost().equals("127.0.0.1") || uri.getHost().equals("[::1]");
        if (!"https".equals(uri.getScheme()) && !("http".equals(uri.getScheme()) && loopback)) {
            throw new SignInClientRefused("A redirect URI must use https (http only on the loopback address): " + value);
        }
    }
}
