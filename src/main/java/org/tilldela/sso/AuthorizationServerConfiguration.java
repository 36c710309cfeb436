package org.tilldela.sso;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.authentication.ClientSecretAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.JdbcRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.oidc.OidcUserInfo;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationException;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationValidator;
import org.springframework.security.oauth2.core.OAuth2Token;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2RefreshTokenAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2TokenIntrospectionAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.token.DelegatingOAuth2TokenGenerator;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.JwtGenerator;
import org.springframework.security.oauth2.server.authorization.token.OAuth2AccessTokenGenerator;
import org.springframework.security.oauth2.server.authorization.token.OAuth2RefreshTokenGenerator;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenGenerator;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.platform.SecretFiles;

/**
 * The OpenID Connect provider: Spring Security's authorization server on its own filter chain (its
 * protocol endpoints only: discovery, JWKS, token, introspection, revocation, …), with every piece of
 * state in PostgreSQL.
 */
@Configuration(proxyBeanMethods = false)
@org.springframework.boot.context.properties.EnableConfigurationProperties(SsoSettings.class)
class AuthorizationServerConfiguration {

    @Bean
    @Order(0)
    @ConditionalOnWebApplication
    SecurityFilterChain authorizationServer(HttpSecurity http, PersonClaims claims, RegisteredClientRepository registeredClients,
                                            Catalog catalog, OAuth2AuthorizationConsentService notices,
                                            org.springframework.security.web.csrf.CsrfTokenRepository csrfTokens,
                                            org.tilldela.platform.RequestBodyLimits bodyLimits, JdbcClient jdbc, TransactionTemplate tx,
                                            OAuth2AuthorizationService authorizations, OAuth2TokenGenerator<OAuth2Token> tokenGenerator,
                                            org.springframework.beans.factory.ObjectProvider<org.springframework.security.oauth2.jwt.JwtDecoder> jwtDecoder,
                                            SignInClients signInClients, SignInLicence licence)
            throws Exception {
        // not a bean of its own: an AuthenticationProvider bean would be offered to the global authentication manager
        TokenRefresh refresh = new TokenRefresh(jdbc, tx, authorizations, tokenGenerator);
        AuthorizationErrors errors = new AuthorizationErrors(clientId -> licence.refusal(claims.productOf(clientId), null));
        return http.oauth2AuthorizationServer(server -> {
                    server.oidc(oidc -> oidc
                            // the subject is a pseudonym per person and supplier (OpenID Connect Core §8.1)
                            .providerConfigurationEndpoint(p -> p.providerConfigurationCustomizer(c -> c.subjectTypes(types -> {
                                types.clear();
                                types.add("pairwise");
                            })))
                            .userInfoEndpoint(u -> u.userInfoMapper(context -> new OidcUserInfo(claims.userInfo(context.getAuthorization(),
                                    registeredClients.findById(context.getAuthorization().getRegisteredClientId()).getClientId())))));
                    server.authorizationEndpoint(a -> a
                            .authenticationProviders(providers -> providers.forEach(p -> {
                                if (p instanceof OAuth2AuthorizationCodeRequestAuthenticationProvider codes) {
                                    codes.setAuthenticationValidator(new OAuth2AuthorizationCodeRequestAuthenticationValidator()
                                            .andThen(context -> requireLicence(context, claims)));
                                    // the first sign-in to a product shows what the school shares with it and why (a notice,
                                    // not a request for consent: the school's agreement is the legal basis); seen once per product client
                                    codes.setAuthorizationConsentRequired(context -> context.getAuthorizationConsent() == null);
                                }
                            }))
                            .consentPage(FirstSignInNotice.PATH)
                            .errorResponseHandler(errors));
                    // refresh grants take the lean path (TokenRefresh): only the token columns change, no new ID token
                    server.tokenEndpoint(token -> token.authenticationProviders(providers -> providers.replaceAll(p ->
                            p instanceof OAuth2RefreshTokenAuthenticationProvider ? refresh : p)));
                    // a client learns about its own supplier's tokens only: anyone else's introspect as inactive
                    server.tokenIntrospectionEndpoint(introspection -> introspection.authenticationProviders(providers -> providers.replaceAll(p ->
                            p instanceof OAuth2TokenIntrospectionAuthenticationProvider ? new IntrospectionWithinSupplier(p, signInClients::supplierOf) : p)));
                    // client secrets are generated high-entropy values: SHA-256 suffices, no slow hash per token request
                    server.clientAuthentication(authentication -> authentication.authenticationProviders(providers -> providers.forEach(p -> {
                        if (p instanceof ClientSecretAuthenticationProvider secrets) {
                            secrets.setPasswordEncoder(HighEntropySecrets.encoder());
                        }
                    })));
                    // this chain serves the protocol endpoints only; the admin UI and API keep their own
                    http.securityMatcher(server.getEndpointsMatcher());
                })
                // userinfo takes both kinds of access token: a signed one (system clients, sign-in clients registered before
                // access tokens went by reference) is verified against the published keys, a reference one is looked up in the store
                .oauth2ResourceServer(rs -> rs.jwt(j -> j.authenticationManager(AccessTokens.bearer(jwtDecoder.getObject(), authorizations))))
                .addFilterBefore(bodyLimits.gate(), org.springframework.security.web.csrf.CsrfFilter.class)
                // only a pupil or member of staff signed in through /sign-in may authorize a product: never an administrator
                .authorizeHttpRequests(a -> a.requestMatchers("/oauth2/authorize").hasAuthority(PersonAccounts.PERSON)
                        .anyRequest().authenticated())
                // the first-sign-in notice posts back here with the token the pupils' pages use (a cookie, see CsrfCookies)
                .csrf(c -> c.csrfTokenRepository(csrfTokens))
                // the authorization request a stranger is sent to sign in from waits in a cookie, not a session
                .requestCache(r -> r.requestCache(new org.springframework.security.web.savedrequest.CookieRequestCache()))
                .exceptionHandling(e -> e.defaultAuthenticationEntryPointFor(new LoginUrlAuthenticationEntryPoint(PersonSignInConfiguration.SIGN_IN),
                        new MediaTypeRequestMatcher(MediaType.TEXT_HTML)))
                .build();
    }

    /** The licence check before any code is issued; the reason stays between Tilldela and the person. */
    private static void requireLicence(OAuth2AuthorizationCodeRequestAuthenticationContext context, PersonClaims claims) {
        OAuth2AuthorizationCodeRequestAuthenticationToken request = context.getAuthentication();
        if (request.getPrincipal() instanceof Authentication person && person.isAuthenticated() && PersonClaims.isPerson(person)
                && !claims.licensed(person, context.getRegisteredClient().getClientId())) {
            throw new OAuth2AuthorizationCodeRequestAuthenticationException(
                    new OAuth2Error(OAuth2ErrorCodes.ACCESS_DENIED, AuthorizationErrors.NO_LICENCE, null), request);
        }
    }

    /** What a product learns about a person: only what the release policy lets go (see PersonClaims). */
    @Bean
    OAuth2TokenCustomizer<JwtEncodingContext> personClaimsCustomizer(PersonClaims claims) {
        return claims::customize;
    }

    /**
     * The issuer is the configured public address (tilldela.base-url). Without one it is taken from the
     * request, which the platform pins to http://localhost on the server's own port (PublicOrigin): never
     * from a Host header — the issuer is what relying parties check every token against.
     */
    @Bean
    AuthorizationServerSettings authorizationServerSettings(@Value("${tilldela.base-url:}") String baseUrl) {
        AuthorizationServerSettings.Builder settings = AuthorizationServerSettings.builder();
        if (!baseUrl.isBlank()) {
            settings.issuer(baseUrl.strip().replaceAll("/+$", ""));
        }
        return settings.build();
    }

    /** Clients are read on every token request; their JSON settings are parsed once per distinct row (RegisteredClientRows). */
    @Bean
    RegisteredClientRepository registeredClients(JdbcTemplate jdbc) {
        JdbcRegisteredClientRepository clients = new JdbcRegisteredClientRepository(jdbc);
        clients.setRegisteredClientRowMapper(new RegisteredClientRows());
        return clients;
    }

    /**
     * What every grant issues tokens with — the authorization server's own generators, as it would build them
     * itself — declared here so that the lean refresh path (TokenRefresh) issues exactly what the other grants do.
     */
    @Bean
    OAuth2TokenGenerator<OAuth2Token> tokenGenerator(JwtEncoder encoder, OAuth2TokenCustomizer<JwtEncodingContext> personClaimsCustomizer,
                                                     PersonClaims claims, io.micrometer.core.instrument.MeterRegistry meters) {
        JwtGenerator jwt = new JwtGenerator(encoder);
        jwt.setJwtCustomizer(personClaimsCustomizer);
        OAuth2AccessTokenGenerator reference = new OAuth2AccessTokenGenerator();
        reference.setAccessTokenCustomizer(claims::customize);
        OAuth2TokenGenerator<OAuth2Token> generator = new DelegatingOAuth2TokenGenerator(jwt, reference, new OAuth2RefreshTokenGenerator());
        // every token issued, by its kind (access_token, id_token, refresh_token): the sign-in rate an operator watches
        for (String kind : java.util.List.of("access_token", "id_token", "refresh_token")) {
            meters.counter("tilldela.sso.tokens.issued", "type", kind);
        }
        return context -> {
            OAuth2Token token = generator.generate(context);
            if (token != null) {
                meters.counter("tilldela.sso.tokens.issued", "type", context.getTokenType().getValue()).increment();
            }
            return token;
        };
    }


    /** Which products' notices a person has seen (the authorization server's consent records, in PostgreSQL). */
    @Bean
    OAuth2AuthorizationConsentService notices(JdbcTemplate jdbc, RegisteredClientRepository clients, TransactionTemplate tx) {
        // one transaction per call, for the reason RefreshTokenFamilies gives: its row mapper looks up the client
        // while holding the connection it reads on
        OAuth2AuthorizationConsentService consents = new JdbcOAuth2AuthorizationConsentService(jdbc, clients);
        return new OAuth2AuthorizationConsentService() {
            @Override
            public void save(org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsent consent) {
                tx.executeWithoutResult(s -> consents.save(consent));
            }

            @Override
            public void remove(org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsent consent) {
                tx.executeWithoutResult(s -> consents.remove(consent));
            }

            @Override
            public org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsent findById(String clientId, String principal) {
                return tx.execute(s -> consents.findById(clientId, principal));
            }
        };
    }

    @Bean
    OAuth2AuthorizationService authorizations(JdbcTemplate jdbc, JdbcClient client, RegisteredClientRepository clients,
                                              org.tilldela.governance.AuditTrail audit, TransactionTemplate tx) {
        return new RefreshTokenFamilies(new TokensAtRest(new JdbcOAuth2AuthorizationService(jdbc, clients)), client, audit, tx);
    }

    @Bean
    SigningKeys signingKeys(JdbcClient jdbc, TransactionTemplate tx, @Value("${tilldela.data-dir:./data}") String dataDir, SsoSettings settings) {
        Duration longest = settings.idTokenTtl().compareTo(settings.accessTokenTtl()) > 0 ? settings.idTokenTtl() : settings.accessTokenTtl();
        return new SigningKeys(jdbc, tx, keyEncryptionKey(settings.keyEncryptionKey(), Path.of(dataDir)), Clock.systemUTC(), longest);
    }

    /**
     * The key that encrypts the signing keys at rest: from configuration (the same on every node), or
     * generated once into the data directory's secrets (fine for one node).
     */
    static byte[] keyEncryptionKey(String configured, Path dataDir) {
        if (!configured.isBlank()) {
            byte[] key = Base64.getDecoder().decode(configured.trim());
            if (key.length != 32) {
                throw new IllegalStateException("tilldela.sso.key-encryption-key must be 32 bytes, base64-encoded (e.g. openssl rand -base64 32)");
            }
            return key;
        }
        return SecretFiles.readOrCreate(dataDir, "sso-key-encryption.key", () -> {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            return key;
        });
    }

    /** The JWKS endpoint publishes every key a live token may carry. */
    @Bean
    JWKSource<SecurityContext> jwkSource(SigningKeys keys) {
        return keys.published();
    }

    /** Tokens are signed with the current keys only: RS256 for ID tokens, ES256 for access tokens (SigningKeys). */
    @Bean
    JwtEncoder jwtEncoder(SigningKeys keys) {
        return new NimbusJwtEncoder(keys.current());
    }
}
