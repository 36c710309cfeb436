package org.tilldela.access;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.tilldela.platform.RequestBodyLimits;

/**
 * The supplier API (/api/v1/supplier/**) is a door of its own: suppliers' systems sign in with their
 * client id and secret (HTTP Basic, no session), get the one authority SUPPLIER, and are never
 * administrators. Administrators' credentials do not open it.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class SupplierApiSecurity {

    public static final String SUPPLIER = "SUPPLIER";

    @Bean
    @Order(0)
    SecurityFilterChain supplierApiChain(HttpSecurity http, SupplierClients clients, RequestBodyLimits bodyLimits) throws Exception {
        // not a bean: a second UserDetailsService bean would take the administrators' sign-in away from Spring Boot
        UserDetailsService suppliers = clientId -> clients.secretHash(clientId)
                .map(hash -> User.withUsername(clientId).password(hash).authorities(SUPPLIER).build())
                .orElseThrow(() -> new UsernameNotFoundException("no such supplier client"));
        DaoAuthenticationProvider provider = new DaoAuthenticationProvider(suppliers);
        provider.setPasswordEncoder(clients.passwordEncoder());
        // a secret still kept as a bcrypt hash is kept as a digest after it signs in (SupplierClients#passwords)
        provider.setUserDetailsPasswordService((user, encoded) -> {
            clients.rehash(user.getUsername(), encoded);
            return User.withUserDetails(user).password(encoded).build();
        });
        return http.securityMatcher("/api/v1/supplier/**")
                .authenticationManager(new ProviderManager(provider))
                // bodies here are JSON (usage reports of up to 10,000 rows): bounded like every other API body, before anything reads one
                .addFilterAfter(bodyLimits.gate(), BasicAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a.anyRequest().hasAuthority(SUPPLIER))
                .httpBasic(b -> b.authenticationEntryPoint((request, response, e) -> response.sendError(401)))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(c -> c.disable())
                .build();
    }
}
