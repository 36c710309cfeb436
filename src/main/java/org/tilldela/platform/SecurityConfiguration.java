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
import java.util.List;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.context.DelegatingSecurityContextRepository;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.tilldela.governance.AdminSignIn;
import org.tilldela.governance.SecondFactor;
import org.tilldela.governance.SignInLockedOut;
import org.tilldela.governance.UpstreamSignInRequired;
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

    /**
     * Spring Security observes nothing here: no filter of any chain wrapped in an observation, no authentication or
     * authorization timed. Nothing exports traces; {@code management.observations.enable.spring.security=false} alone
     * only made the observations no-ops, while every filter of every request was still wrapped (about 1.5 % of the token
     * endpoint's CPU in a profile of refresh grants; BENCHMARKS.md, "Sign-in"). Requests are still timed
     * ({@code http.server.requests}).
     */
    @Bean
    static org.springframework.security.config.observation.SecurityObservationSettings noSecurityObservations() {
        return org.springframework.security.config.observation.SecurityObservationSettings.noObservations();
    }

    /**
     * Spring Security's authentication events are not published: nothing listens to them. Tilldela audits and throttles
     * sign-ins in the code that signs in ({@link AdminSignIn}, the sso module's person sign-in); the administrators' doors
     * already built their managers without a publisher. Without this the authorization server's
     * manager published two events per token request (the client's authentication and the grant's) through the modules'
     * event multicaster, about 2.6 % of the token endpoint's CPU in a profile of refresh grants. A listener added later
     * for these events would hear nothing: audit in the code that signs in instead.
     */
    @Bean
    org.springframework.security.authentication.AuthenticationEventPublisher authenticationEventsNotPublished() {
        return new org.springframework.security.authentication.AuthenticationEventPublisher() {
            @Override
            public void publishAuthenticationSuccess(Authentication authentication) {
            }

            @Override
            public void publishAuthenticationFailure(org.springframework.security.core.AuthenticationException exception, Authentication authentication) {
            }
        };
    }

    @Bean
    @Order(1)
    SecurityFilterChain api(HttpSecurity http, AdminSignIn signIn, org.tilldela.governance.ApiTokens apiTokens) throws Exception {
        return http.securityMatcher("/api/**")
                .authenticationManager(new ProviderManager(signIn.apiDoor()))
                // a personal API token (Authorization: Bearer) instead of a password, for accounts with a second factor
                .addFilterBefore(apiTokens.filter(), BasicAuthenticationFilter.class)
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
    SecurityFilterChain web(HttpSecurity http, AdminSignIn signIn, PublicOrigin origin, SecondFactor secondFactor) throws Exception {
        CookieRequestCache requestCache = new CookieRequestCache();
        SecurityContextRepository contexts = new DelegatingSecurityContextRepository(new RequestAttributeSecurityContextRepository(),
                new HttpSessionSecurityContextRepository());
        return http
                .authenticationManager(new ProviderManager(signIn))
                .securityContext(c -> c.securityContextRepository(contexts))
                // before the CSRF filter, which reads _csrf from the body: a multipart body only for someone signed in
                .addFilterBefore(bodyLimits.gate(), CsrfFilter.class)
                .authorizeHttpRequests(a -> a
                        .requestMatchers(EndpointRequest.to("health")).permitAll()
                        .requestMatchers("/login", "/css/**", "/js/**", "/webjars/**", "/favicon.ico", "/error").permitAll()
                        .requestMatchers("/v3/api-docs/**", "/swagger-ui/**", "/swagger-ui.html").access(SecurityConfiguration::holdsARight)
                        .requestMatchers("/login/second-factor").hasAnyAuthority(SECOND_FACTOR_PENDING, SECOND_FACTOR_ENROLMENT)
                        .anyRequest().hasRole("ADMIN"))
                .formLogin(f -> f.loginPage("/login").successHandler(secondFactorStep(secondFactor, contexts, requestCache))
                        // a plain redirect: nothing about the failure is kept in the (database-stored) session
                        .failureHandler((request, response, e) -> response.sendRedirect(request.getContextPath()
                                + (e instanceof LockedException ? "/login?locked" : e instanceof UpstreamSignInRequired ? "/login?upstream" : "/login?error")))
                        .permitAll())
                .logout(l -> l.logoutUrl("/logout").logoutSuccessUrl("/login?logout"))
                // no session before sign-in: the CSRF token (see CsrfCookies) and the page to return to after
                // signing in live in cookies, so anonymous requests never write a session row
                .csrf(c -> c.csrfTokenRepository(CsrfCookies.repository(origin)))
                .requestCache(r -> r.requestCache(requestCache))
                .headers(h -> h.contentSecurityPolicy(c -> c.policyDirectives(
                        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'")))
                .build();
    }

    /** The session's only authority between a right password and the code, for an account with a second factor. */
    public static final String SECOND_FACTOR_PENDING = "SECOND_FACTOR_PENDING";
    /** The same, for an account that must enrol first ({@code tilldela.governance.second-factor.required}). */
    public static final String SECOND_FACTOR_ENROLMENT = "SECOND_FACTOR_ENROLMENT";

    /**
     * After the password: an account with a second factor (or one that must enrol) is not signed in yet. Its
     * session holds a token whose one authority opens the code page only (every other page wants ROLE_ADMIN);
     * the code page signs it in fully ({@code governance.web.SecondFactorPages}). Others go where they were going.
     */
    private static AuthenticationSuccessHandler secondFactorStep(SecondFactor secondFactor, SecurityContextRepository contexts,
                                                                 CookieRequestCache requestCache) {
        SavedRequestAwareAuthenticationSuccessHandler signedIn = new SavedRequestAwareAuthenticationSuccessHandler();
        signedIn.setDefaultTargetUrl("/");
        signedIn.setRequestCache(requestCache);
        return (request, response, authentication) -> {
            boolean enrolled = secondFactor.enrolled(authentication.getName());
            if (!enrolled && !secondFactor.requiredFor(authentication.getName())) {
                signedIn.onAuthenticationSuccess(request, response, authentication);
                return;
            }
            SecurityContext context = SecurityContextHolder.createEmptyContext();
            context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(authentication.getName(), null,
                    List.of(new SimpleGrantedAuthority(enrolled ? SECOND_FACTOR_PENDING : SECOND_FACTOR_ENROLMENT))));
            SecurityContextHolder.setContext(context);
            contexts.saveContext(context, request, response);
            response.sendRedirect(request.getContextPath() + "/login/second-factor");
        };
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
