package org.tilldela.sso;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.ProviderManager;
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
    SecurityFilterChain persons(HttpSecurity http, PersonSignIn signIn, org.springframework.security.web.csrf.CsrfTokenRepository csrfTokens,
                                org.tilldela.platform.RequestBodyLimits bodyLimits,
                                org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository clients,
                                UpstreamSignIn upstream, CardSignIn cards, SamlSingleLogout samlLogout) throws Exception {
        // upstream federation: the organiser's own identity provider signs people in on this chain too (UpstreamSignIn)
        upstream.configure(http);
        return http.securityMatcher(SIGN_IN, UpstreamSignIn.PATHS, CardSignInFilter.PATH, CardSignInFilter.PATH + "/**", "/start", "/start/**", "/sign-out")
                // as on the administrators' doors: no body is read for a stranger before its size and kind are checked
                .addFilterBefore(bodyLimits.gate(), org.springframework.security.web.csrf.CsrfFilter.class)
                .authorizeHttpRequests(a -> a.requestMatchers(SIGN_IN, UpstreamSignIn.PATHS, CardSignInFilter.PATH, CardSignInFilter.PATH + "/**")
                        .permitAll().anyRequest().hasAuthority(PersonAccounts.PERSON))
                .authenticationManager(new ProviderManager(signIn, upstream.authenticationProvider()))
                .formLogin(f -> f.loginPage(SIGN_IN).loginProcessingUrl(SIGN_IN).defaultSuccessUrl("/start", false)
                        // a plain redirect: nothing about the failure is kept in a session
                        .failureHandler((request, response, e) -> response.sendRedirect(request.getContextPath() + SIGN_IN
                                + (e instanceof org.springframework.security.authentication.LockedException ? "?locked" : "?error"))))
                // young pupils: a sign-in card's QR code and a picture password (CardSignIn)
                .addFilterBefore(new CardSignInFilter(cards, csrfTokens), org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter.class)
                // signing out also signs the person out of the SAML SPs of this session that take part in Single Logout: their
                // list is read before the session ends, and the browser then goes to each in turn (SamlSingleLogout)
                .logout(l -> l.logoutUrl("/sign-out")
                        .addLogoutHandler((request, response, authentication) -> {
                            String key = samlLogout.fromStartPage(SamlSingleLogout.participants(request.getSession(false)));
                            if (key != null) {
                                request.setAttribute(SamlSingleLogout.SESSION_KEY, key);
                            }
                        })
                        .logoutSuccessHandler((request, response, authentication) -> response.sendRedirect(request.getContextPath()
                                + (request.getAttribute(SamlSingleLogout.SESSION_KEY) instanceof String key
                                ? org.springframework.web.util.UriComponentsBuilder.fromPath(SamlSingleLogout.CONTINUE_PATH).queryParam("key", key)
                                        .build().toUriString()
                                : SIGN_IN + "?signed-out"))))
                // no session before sign-in: the CSRF token and the authorization request to return to live in cookies
                // an organiser's SAML IdP posts its Response cross-site, without a token of ours: the Response's own checks
                // (signature, InResponseTo of this session's request, audience, destination) stand instead (UpstreamSamlSignIn)
                .csrf(c -> c.csrfTokenRepository(csrfTokens).ignoringRequestMatchers(
                        org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher.withDefaults()
                                .matcher(org.springframework.http.HttpMethod.POST, UpstreamSamlSignIn.ACS_PATHS)))
                .requestCache(r -> r.requestCache(new org.springframework.security.web.savedrequest.CookieRequestCache()))
                // form-action also lets the sign-in and the notice continue to the product being signed in to (see SignInFormTargets)
                .headers(h -> h.addHeaderWriter(new SignInFormTargets(clients)))
                .build();
    }
}
