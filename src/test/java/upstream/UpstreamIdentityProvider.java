package upstream;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.config.annotation.web.configuration.OAuth2AuthorizationServerConfiguration;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;

/**
 * A municipality's own identity provider for tests: Spring Security's authorization server (an independent,
 * standard OpenID provider — not a hand-written stub) in a Spring context of its own on a random port of the
 * loopback address 127.0.0.1 (so a browser keeps its cookies apart from Tilldela's on localhost). Its users
 * sign in on Spring's default login page; their ID tokens carry the claims a test gives them (e.g. {@code upn},
 * as Entra ID's do). Outside the org.tilldela package, so the application's component scan never finds it.
 */
@SpringBootConfiguration
@EnableWebSecurity
@ImportAutoConfiguration({
        org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration.class,
        org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration.class,
        org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration.class,
        org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration.class,
        org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration.class,
        org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration.class})
public class UpstreamIdentityProvider {

    public static final String PASSWORD = "kommunens eget losenord";
    /** A claim value that makes the provider put a nonce in the ID token other than the one the client sent. */
    public static final String FORGE_NONCE = "forge-nonce";

    /** Extra ID-token claims per user name. */
    private final Map<String, Map<String, Object>> claims = new ConcurrentHashMap<>();
    private final InMemoryUserDetailsManager users = new InMemoryUserDetailsManager();
    private final InMemoryRegisteredClientRepository clients = new InMemoryRegisteredClientRepository(RegisteredClient.withId("placeholder")
            .clientId("placeholder").clientSecret("{noop}" + UUID.randomUUID()).authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS).build());

    /** Starts one on 127.0.0.1 and a random port. Its issuer is http://127.0.0.1:port. */
    public static ConfigurableApplicationContext start() {
        return start(null);
    }

    /**
     * One whose discovery document names {@code tokenEndpoint} as its token endpoint (e.g. a server that never
     * answers), when not null; everything else as {@link #start()}.
     */
    public static ConfigurableApplicationContext start(String tokenEndpoint) {
        return start(tokenEndpoint, null);
    }

    /** As {@link #start(String)}, and {@code jwkSetUrl} as where its keys are, when not null. */
    public static ConfigurableApplicationContext start(String tokenEndpoint, String jwkSetUrl) {
        return start(tokenEndpoint, jwkSetUrl, null);
    }

    /** As {@link #start(String, String)}, and {@code userInfoEndpoint} as its userinfo endpoint, when not null. */
    public static ConfigurableApplicationContext start(String tokenEndpoint, String jwkSetUrl, String userInfoEndpoint) {
        return new SpringApplicationBuilder(UpstreamIdentityProvider.class).web(WebApplicationType.SERVLET)
                // none of Tilldela's own configuration
                .properties("spring.config.name=upstream-identity-provider", "server.port=0", "server.address=127.0.0.1",
                        "spring.main.banner-mode=off", "spring.jmx.enabled=false", TOKEN_ENDPOINT + "=" + (tokenEndpoint == null ? "" : tokenEndpoint),
                        JWK_SET_URL + "=" + (jwkSetUrl == null ? "" : jwkSetUrl),
                        USER_INFO_ENDPOINT + "=" + (userInfoEndpoint == null ? "" : userInfoEndpoint))
                .run();
    }

    private static final String TOKEN_ENDPOINT = "upstream.advertised-token-endpoint";
    private static final String JWK_SET_URL = "upstream.advertised-jwk-set-url";
    private static final String USER_INFO_ENDPOINT = "upstream.advertised-user-info-endpoint";

    public static String issuer(ConfigurableApplicationContext context) {
        return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
    }

    /** A user of the municipality, with the claims their ID tokens carry. */
    public void addUser(String username, Map<String, Object> idTokenClaims) {
        users.createUser(User.withUsername(username).password("{noop}" + PASSWORD).roles("USER").build());
        claims.put(username, idTokenClaims);
    }

    /** Tilldela's client here, as the municipality would register it. */
    public void addClient(String clientId, String secret, String redirectUri) {
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString()).clientId(clientId).clientSecret("{noop}" + secret)
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri(redirectUri)
                .scope(OidcScopes.OPENID).scope(OidcScopes.PROFILE).scope(OidcScopes.EMAIL)
                .clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false).build())
                .build());
    }

    @Bean
    @Order(1)
    SecurityFilterChain protocol(HttpSecurity http, org.springframework.core.env.Environment environment) throws Exception {
        String tokenEndpoint = environment.getProperty(TOKEN_ENDPOINT, "");
        String jwkSetUrl = environment.getProperty(JWK_SET_URL, "");
        String userInfoEndpoint = environment.getProperty(USER_INFO_ENDPOINT, "");
        return http.oauth2AuthorizationServer(server -> {
                    http.securityMatcher(server.getEndpointsMatcher());
                    server.oidc(oidc -> oidc.providerConfigurationEndpoint(p -> p.providerConfigurationCustomizer(m -> {
                        if (!tokenEndpoint.isEmpty()) {
                            m.tokenEndpoint(tokenEndpoint);
                        }
                        if (!jwkSetUrl.isEmpty()) {
                            m.jwkSetUrl(jwkSetUrl);
                        }
                        if (!userInfoEndpoint.isEmpty()) {
                            m.userInfoEndpoint(userInfoEndpoint);
                        }
                    })));
                })
                .authorizeHttpRequests(a -> a.anyRequest().authenticated())
                .oauth2ResourceServer(r -> r.jwt(Customizer.withDefaults()))
                .exceptionHandling(e -> e.defaultAuthenticationEntryPointFor(new LoginUrlAuthenticationEntryPoint("/login"),
                        new MediaTypeRequestMatcher(MediaType.TEXT_HTML)))
                .build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain signIn(HttpSecurity http) throws Exception {
        return http.authorizeHttpRequests(a -> a.anyRequest().authenticated()).formLogin(Customizer.withDefaults()).build();
    }

    @Bean
    InMemoryUserDetailsManager users() {
        return users;
    }

    @Bean
    RegisteredClientRepository clients() {
        return clients;
    }

    @Bean
    OAuth2TokenCustomizer<JwtEncodingContext> idTokenClaims() {
        return context -> {
            if (!OidcParameterNames.ID_TOKEN.equals(context.getTokenType().getValue())) {
                return;
            }
            Map<String, Object> extra = claims.getOrDefault(context.getPrincipal().getName(), Map.of());
            extra.forEach((name, value) -> context.getClaims().claim(name, value));
            if (extra.containsKey(FORGE_NONCE)) {
                context.getClaims().claim("nonce", "not-the-nonce-the-client-sent");
            }
        };
    }

    @Bean
    JWKSource<SecurityContext> keys() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
        return new ImmutableJWKSet<>(new JWKSet(key));
    }

    @Bean
    JwtDecoder jwtDecoder(JWKSource<SecurityContext> keys) {
        return OAuth2AuthorizationServerConfiguration.jwtDecoder(keys);
    }

    @Bean
    AuthorizationServerSettings authorizationServerSettings() {
        return AuthorizationServerSettings.builder().build();
    }
}
