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
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.authentication.ClientSecretAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.JdbcRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.web.SecurityFilterChain;
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
    SecurityFilterChain authorizationServer(HttpSecurity http) throws Exception {
        return http.oauth2AuthorizationServer(server -> {
                    server.oidc(oidc -> {
                    });
                    // client secrets are generated high-entropy values: SHA-256 suffices, no slow hash per token request
                    server.clientAuthentication(authentication -> authentication.authenticationProviders(providers -> providers.forEach(p -> {
                        if (p instanceof ClientSecretAuthenticationProvider secrets) {
                            secrets.setPasswordEncoder(HighEntropySecrets.encoder());
                        }
                    })));
                    // this chain serves the protocol endpoints only; the admin UI and API keep their own
                    http.securityMatcher(server.getEndpointsMatcher());
                })
                .authorizeHttpRequests(a -> a.anyRequest().authenticated())
                .build();
    }

    /**
     * The issuer is the configured public address, never one taken from a request's Host header: the
     * issuer is what relying parties check every token against.
     */
    @Bean
    AuthorizationServerSettings authorizationServerSettings(@Value("${tilldela.base-url:http://localhost:8080}") String baseUrl) {
        return AuthorizationServerSettings.builder().issuer(baseUrl.replaceAll("/+$", "")).build();
    }

    @Bean
    RegisteredClientRepository registeredClients(JdbcTemplate jdbc) {
        return new JdbcRegisteredClientRepository(jdbc);
    }

    @Bean
    OAuth2AuthorizationService authorizations(JdbcTemplate jdbc, RegisteredClientRepository clients) {
        return new JdbcOAuth2AuthorizationService(jdbc, clients);
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

    /** Tokens are signed with the current key only. */
    @Bean
    JwtEncoder jwtEncoder(SigningKeys keys) {
        return new NimbusJwtEncoder(keys.current());
    }
}
