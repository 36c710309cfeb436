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

    /**
     * The JDK's own StAX and datatype factories, named, unless the operator named others. Keycloak's SAML core makes its
     * XMLInputFactory, XMLOutputFactory and DatatypeFactory once per thread, and requests run on virtual threads, one
     * per request: each lookup without a name scanned every jar of the class path for a service provider (Java's
     * FactoryFinder), 14% of the JVM's time in a SAML sign-in (JFR, BENCHMARKS "SAML sign-in"). No other implementation
     * is on the class path, so the JDK's are what the scan found anyway.
     */
    static {
        defaultTo("javax.xml.stream.XMLInputFactory", "com.sun.xml.internal.stream.XMLInputFactoryImpl");
        defaultTo("javax.xml.stream.XMLOutputFactory", "com.sun.xml.internal.stream.XMLOutputFactoryImpl");
        defaultTo("javax.xml.datatype.DatatypeFactory", "com.sun.org.apache.xerces.internal.jaxp.datatype.DatatypeFactoryImpl");
    }

    private static void defaultTo(String factory, String implementation) {
        if (System.getProperty(factory) == null) {
            System.setProperty(factory, implementation);
        }
    }

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
