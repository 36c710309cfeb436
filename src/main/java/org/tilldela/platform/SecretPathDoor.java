package org.tilldela.platform;

import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The door of an address another system calls back with a secret in its path (an SS 12000 server's subscription
 * callback, a BOL publisher's answer to an order): stateless, no CSRF token (the caller is no browser), no request
 * cache, open to anyone — the secret in the path decides, in the controller behind it.
 */
public final class SecretPathDoor {

    private SecretPathDoor() {
    }

    public static SecurityFilterChain chain(HttpSecurity http, String pathPattern) throws Exception {
        return http.securityMatcher(pathPattern)
                .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(c -> c.disable())
                .requestCache(r -> r.disable())
                .build();
    }
}
