package org.tilldela.platform;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.util.unit.DataSize;

/**
 * Two doors: the REST API (/api/**) takes HTTP Basic credentials on every call and keeps no session, so
 * it needs no CSRF token; the web UI signs in with a form, keeps a session and checks CSRF tokens.
 * Everything is closed unless opened here: the doors let in signed-in administrators only, and each
 * controller names the one right it needs with {@code @PreAuthorize} (ModularityTest makes sure none is
 * left without), so a right added for one module opens nothing in another. In both, the
 * {@link RequestBodyGate} decides whether and how much of a request body may be read before anything reads it.
 */
@Configuration(proxyBeanMethods = false)
@org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity
@org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication
class SecurityConfiguration {

    private final RequestBodyGate bodyGate;

    SecurityConfiguration(@Value("${tilldela.upload.import-max-size:512MB}") DataSize importMaxSize,
                          @Value("${tilldela.upload.max-size:20MB}") DataSize maxSize) {
        this.bodyGate = new RequestBodyGate(importMaxSize, maxSize);
    }

    @Bean
    @Order(1)
    SecurityFilterChain api(HttpSecurity http) throws Exception {
        return http.securityMatcher("/api/**")
                // who is calling is known once HTTP Basic has run; no body has been read yet
                .addFilterAfter(bodyGate, BasicAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a.anyRequest().hasRole("ADMIN"))
                // 401 without a "WWW-Authenticate: Basic" challenge: a browser must never prompt for and
                // cache credentials it would then send along with another site's forged requests
                .httpBasic(b -> b.authenticationEntryPoint((request, response, e) -> response.sendError(401)))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(c -> c.disable())
                .build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain web(HttpSecurity http) throws Exception {
        return http
                // before the CSRF filter, which reads _csrf from the body: a multipart body only for someone signed in
                .addFilterBefore(bodyGate, CsrfFilter.class)
                .authorizeHttpRequests(a -> a
                        .requestMatchers(EndpointRequest.to("health")).permitAll()
                        .requestMatchers("/login", "/css/**", "/js/**", "/webjars/**", "/favicon.ico", "/error").permitAll()
                        .requestMatchers("/v3/api-docs/**", "/swagger-ui/**", "/swagger-ui.html").hasRole("ADMIN")
                        .anyRequest().hasRole("ADMIN"))
                .formLogin(f -> f.loginPage("/login").defaultSuccessUrl("/", false).permitAll())
                .logout(l -> l.logoutUrl("/logout").logoutSuccessUrl("/login?logout"))
                .headers(h -> h.contentSecurityPolicy(c -> c.policyDirectives(
                        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'")))
                .build();
    }
}
