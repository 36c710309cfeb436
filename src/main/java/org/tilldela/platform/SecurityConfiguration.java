package org.tilldela.platform;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.savedrequest.CookieRequestCache;
import org.tilldela.governance.AdminSignIn;
import org.tilldela.governance.SignInLockedOut;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.csrf.CsrfFilter;

/**
 * Two doors: the REST API (/api/**) takes HTTP Basic credentials on every call and keeps no session, so
 * it needs no CSRF token; the web UI signs in with a form, keeps a session and checks CSRF tokens.
 * Everything is closed unless opened here: the doors let in signed-in administrators only, and each
 * controller names the one right it needs with {@code @PreAuthorize} (ModularityTest makes sure none is
 * left without), so a right added for one module opens nothing in another.
 *
 * <p>Both doors sign administrators in through {@link AdminSignIn}, which throttles failed sign-ins per
 * account and per address and audits them; a locked-out attempt is told so (login page message, or 429
 * with Retry-After on the API) rather than "wrong password", so a locked-out administrator knows to wait.
 *
 * <p>In both, the {@link RequestBodyGate} decides whether and how much of a request body may be read before anything reads it.
 */
@Configuration(proxyBeanMethods = false)
@org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity
@org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication
class SecurityConfiguration {

    private final RequestBodyLimits bodyLimits;

    SecurityConfiguration(RequestBodyLimits bodyLimits) {
        this.bodyLimits = bodyLimits;
    }

    @Bean
    @Order(1)
    SecurityFilterChain api(HttpSecurity http, AdminSignIn signIn) throws Exception {
        return http.securityMatcher("/api/**")
                .authenticationManager(new ProviderManager(signIn))
                // who is calling is known once HTTP Basic has run; no body has been read yet
                .addFilterAfter(bodyLimits.gate(), BasicAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a.anyRequest().hasRole("ADMIN"))
                // 401 without a "WWW-Authenticate: Basic" challenge: a browser must never prompt for and
                // cache credentials it would then send along with another site's forged requests
                .httpBasic(b -> b.authenticationEntryPoint((request, response, e) -> {
                    if (e instanceof SignInLockedOut locked) {
                        long seconds = Math.max(1, Duration.between(Instant.now(), locked.until()).toSeconds() + 1);
                        response.setHeader("Retry-After", Long.toString(seconds));
                        response.sendError(429);
                    } else {
                        response.sendError(401);
                    }
                }))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(c -> c.disable())
                .build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain web(HttpSecurity http, AdminSignIn signIn, PublicOrigin origin) throws Exception {
        return http
                .authenticationManager(new ProviderManager(signIn))
                // before the CSRF filter, which reads _csrf from the body: a multipart body only for someone signed in
                .addFilterBefore(bodyLimits.gate(), CsrfFilter.class)
                .authorizeHttpRequests(a -> a
                        .requestMatchers(EndpointRequest.to("health")).permitAll()
                        .requestMatchers("/login", "/css/**", "/js/**", "/webjars/**", "/favicon.ico", "/error").permitAll()
                        .requestMatchers("/v3/api-docs/**", "/swagger-ui/**", "/swagger-ui.html").access(SecurityConfiguration::holdsARight)
                        .anyRequest().hasRole("ADMIN"))
                .formLogin(f -> f.loginPage("/login").defaultSuccessUrl("/", false)
                        // a plain redirect: nothing about the failure is kept in the (database-stored) session
                        .failureHandler((request, response, e) -> response.sendRedirect(request.getContextPath()
                                + (e instanceof LockedException ? "/login?locked" : "/login?error")))
                        .permitAll())
                .logout(l -> l.logoutUrl("/logout").logoutSuccessUrl("/login?logout"))
                // no session before sign-in: the CSRF token (see CsrfCookies) and the page to return to after
                // signing in live in cookies, so anonymous requests never write a session row
                .csrf(c -> c.csrfTokenRepository(CsrfCookies.repository(origin)))
                .requestCache(r -> r.requestCache(new CookieRequestCache()))
                .headers(h -> h.contentSecurityPolicy(c -> c.policyDirectives(
                        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'")))
                .build();
    }

    /**
     * The API description maps every endpoint and parameter. An account holding no right can call none of
     * them, so for it the map would only be reconnaissance; one right, any right, means some part of the
     * API is the account's to use and the description is its manual (each endpoint still checks its own
     * right). Rights are the authorities governance grants as RIGHT_*.
     */
    private static AuthorizationResult holdsARight(Supplier<? extends Authentication> authentication, RequestAuthorizationContext request) {
        Authentication auth = authentication.get();
        return new AuthorizationDecision(auth != null && auth.isAuthenticated()
                && auth.getAuthorities().stream().anyMatch(a -> a.getAuthority() != null && a.getAuthority().startsWith("RIGHT_")));
    }
}
