package org.tilldela.platform;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The metrics scrape ({@code /actuator/prometheus}) has a door of its own: neither an administrator's account nor a
 * session, but what a Prometheus server is configured with — a bearer token kept in a secret file
 * ({@code tilldela.metrics.token-file}, by default {@code secrets/metrics-token} under the data directory, read on
 * every scrape so it can be replaced without a restart), or a metrics user whose password is configured only as a hash
 * ({@code tilldela.metrics.password-hash}, Spring Security's {@code {bcrypt}…}/{@code {argon2}…} form). With neither,
 * every scrape is refused: nothing is open by default.
 */
@Configuration(proxyBeanMethods = false)
@org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication
class MetricsAccess {

    static final String ROLE = "METRICS";

    @Bean
    @Order(0)
    SecurityFilterChain metrics(HttpSecurity http, MetricsCredentials credentials) throws Exception {
        return http.securityMatcher(EndpointRequest.to("prometheus"))
                .addFilterBefore(new CredentialsFilter(credentials), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a.anyRequest().hasRole(ROLE))
                // 401 and no challenge: a browser never prompts for (and then keeps) these credentials
                .exceptionHandling(e -> e.authenticationEntryPoint((request, response, ex) -> response.sendError(401)))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(r -> r.disable())
                .csrf(c -> c.disable())
                .build();
    }

    @Bean
    MetricsCredentials metricsCredentials(@Value("${tilldela.metrics.token-file:}") String tokenFile, @Value("${tilldela.data-dir}") String dataDir,
                                          @Value("${tilldela.metrics.user:metrics}") String user,
                                          @Value("${tilldela.metrics.password-hash:}") String passwordHash) {
        Path file = tokenFile.isBlank() ? Path.of(dataDir).resolve(SecretFiles.FOLDER).resolve("metrics-token") : Path.of(tokenFile);
        return new MetricsCredentials(file, user, passwordHash);
    }

    /** Signs a scrape in as the metrics role when its Authorization header carries the configured credentials. */
    private static final class CredentialsFilter extends OncePerRequestFilter {
        private final MetricsCredentials credentials;

        CredentialsFilter(MetricsCredentials credentials) {
            this.credentials = credentials;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain) throws ServletException, IOException {
            if (credentials.accept(request.getHeader("Authorization"))) {
                var context = SecurityContextHolder.createEmptyContext();
                context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated("metrics", null, List.of(new SimpleGrantedAuthority("ROLE_" + ROLE))));
                SecurityContextHolder.setContext(context);
            }
            chain.doFilter(request, response);
        }
    }

    /** The configured metrics credentials, checked without saying which part was wrong. */
    static final class MetricsCredentials {
        private static final PasswordEncoder HASHES = PasswordEncoderFactories.createDelegatingPasswordEncoder();
        private final Path tokenFile;
        private final String user;
        private final String passwordHash;

        MetricsCredentials(Path tokenFile, String user, String passwordHash) {
            this.tokenFile = tokenFile;
            this.user = user;
            this.passwordHash = passwordHash == null ? "" : passwordHash.trim();
        }

        boolean accept(String authorization) {
            if (authorization == null) {
                return false;
            }
            if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                String token = token();
                return token != null && sameDigest(token, authorization.substring(7).trim());
            }
            if (authorization.regionMatches(true, 0, "Basic ", 0, 6) && !passwordHash.isEmpty()) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return false;
                }
                int colon = decoded.indexOf(':');
                return colon > 0 && sameDigest(user, decoded.substring(0, colon)) && HASHES.matches(decoded.substring(colon + 1), passwordHash);
            }
            return false;
        }

        /** The token file's content; none when it is missing or empty (then no token is accepted). */
        private String token() {
            try {
                String token = Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
                return token.isEmpty() ? null : token;
            } catch (IOException e) {
                return null;
            }
        }

        /** Compares in time independent of where the two differ (digests of equal length). */
        private static boolean sameDigest(String expected, String given) {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] a = sha.digest(expected.getBytes(StandardCharsets.UTF_8));
                byte[] b = sha.digest(given.getBytes(StandardCharsets.UTF_8));
                return MessageDigest.isEqual(a, b);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
