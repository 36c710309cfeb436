package org.tilldela.sso;

import java.nio.file.Path;
import java.time.Clock;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The SAML identity provider's door (/saml2/idp/**): its metadata and SSO endpoint are open to anyone (an SP's
 * HTTP-POST AuthnRequest comes cross-site, so that one endpoint takes no CSRF token — the request's own checks
 * stand instead — and so does the Single Logout endpoint, for the same reason); continuing a sign-in needs a pupil or member of staff signed in through /sign-in, the same
 * sign-in the OpenID provider sends people to.
 */
@Configuration(proxyBeanMethods = false)
class SamlConfiguration {

    static final String PATHS = "/saml2/idp/**";

    @Bean
    SamlKeys samlKeys(JdbcClient jdbc, TransactionTemplate tx, @Value("${tilldela.data-dir:./data}") String dataDir, SsoSettings settings) {
        return new SamlKeys(jdbc, tx, AuthorizationServerConfiguration.keyEncryptionKey(settings.keyEncryptionKey(), Path.of(dataDir)), Clock.systemUTC());
    }

    @Bean
    @Order(0)
    @ConditionalOnWebApplication
    SecurityFilterChain samlIdentityProviderChain(HttpSecurity http, org.springframework.security.web.csrf.CsrfTokenRepository csrfTokens,
                                             org.tilldela.platform.RequestBodyLimits bodyLimits) throws Exception {
        return http.securityMatcher(PATHS)
                .addFilterBefore(bodyLimits.gate(), org.springframework.security.web.csrf.CsrfFilter.class)
                .authorizeHttpRequests(a -> a.requestMatchers(SamlIdentityProvider.METADATA_PATH, SamlIdentityProvider.SSO_PATH,
                                SamlSingleLogout.SLO_PATH, SamlSingleLogout.CONTINUE_PATH).permitAll()
                        .anyRequest().hasAuthority(PersonAccounts.PERSON))
                .csrf(c -> c.csrfTokenRepository(csrfTokens).ignoringRequestMatchers(SamlIdentityProvider.SSO_PATH, SamlSingleLogout.SLO_PATH))
                // the sign-in to continue waits in a cookie, not a session: /sign-in comes back to it
                .requestCache(r -> r.requestCache(new org.springframework.security.web.savedrequest.CookieRequestCache()))
                .exceptionHandling(e -> e.authenticationEntryPoint(new LoginUrlAuthenticationEntryPoint(PersonSignInConfiguration.SIGN_IN)))
                .build();
    }
}
