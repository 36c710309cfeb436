package org.tilldela.sso;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Where pupils and staff sign in (/sign-in) and land (/start): a door of its own, separate from the
 * administrators' (/login), with its own accounts. The provider's authorization endpoint sends people
 * here and continues once they are signed in.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class PersonSignInConfiguration {

    static final String SIGN_IN = "/sign-in";

    @Bean
    @Order(1)
    SecurityFilterChain persons(HttpSecurity http, PersonAccounts accounts) throws Exception {
        DaoAuthenticationProvider provider = new DaoAuthenticationProvider(accounts.userDetails());
        provider.setPasswordEncoder(accounts.passwordEncoder());
        return http.securityMatcher(SIGN_IN, "/start", "/start/**", "/sign-out")
                .authorizeHttpRequests(a -> a.requestMatchers(SIGN_IN).permitAll().anyRequest().hasAuthority(PersonAccounts.PERSON))
                .authenticationManager(new ProviderManager(provider))
                .formLogin(f -> f.loginPage(SIGN_IN).loginProcessingUrl(SIGN_IN).defaultSuccessUrl("/start", false).failureUrl(SIGN_IN + "?error"))
                .logout(l -> l.logoutUrl("/sign-out").logoutSuccessUrl(SIGN_IN + "?signed-out"))
                .headers(h -> h.contentSecurityPolicy(c -> c.policyDirectives(
                        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'")))
                .build();
    }
}
