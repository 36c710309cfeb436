package org.tilldela.sso;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.AbstractAuthenticationProcessingFilter;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.authentication.WebAuthenticationDetailsSource;
import org.springframework.security.web.authentication.session.ChangeSessionIdAuthenticationStrategy;
import org.springframework.security.web.authentication.session.CompositeSessionAuthenticationStrategy;
import org.springframework.security.web.context.DelegatingSecurityContextRepository;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.csrf.CsrfAuthenticationStrategy;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.security.web.savedrequest.CookieRequestCache;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Signs a pupil in when the card's picking page sends its last picture (POST {@value #PATH} with the
 * {@value Picture#LENGTH}th pick); earlier picks go on to the page itself (CardPages), which shows how many
 * are picked. Like the password form: a session is made only now, with a new id and a new CSRF token, and
 * the browser goes on to the authorization request it came from (kept in a cookie) or else to the start page.
 */
final class CardSignInFilter extends AbstractAuthenticationProcessingFilter {

    static final String PATH = "/sign-in/card";

    CardSignInFilter(CardSignIn cards, CsrfTokenRepository csrfTokens) {
        super(request -> "POST".equals(request.getMethod()) && PATH.equals(request.getServletPath()) && picked(request).size() == Picture.LENGTH,
                new ProviderManager(cards));
        setSecurityContextRepository(new DelegatingSecurityContextRepository(new RequestAttributeSecurityContextRepository(),
                new HttpSessionSecurityContextRepository()));
        setSessionAuthenticationStrategy(new CompositeSessionAuthenticationStrategy(List.of(new ChangeSessionIdAuthenticationStrategy(),
                new CsrfAuthenticationStrategy(csrfTokens))));
        SavedRequestAwareAuthenticationSuccessHandler onward = new SavedRequestAwareAuthenticationSuccessHandler();
        onward.setRequestCache(new CookieRequestCache());
        onward.setDefaultTargetUrl("/start");
        setAuthenticationSuccessHandler(onward);
        setAuthenticationFailureHandler(CardSignInFilter::refused);
        setAuthenticationDetailsSource(new WebAuthenticationDetailsSource());
    }

    @Override
    public Authentication attemptAuthentication(HttpServletRequest request, HttpServletResponse response) throws AuthenticationException {
        return getAuthenticationManager().authenticate(new CardSignIn.Request(request.getParameter("token"), picked(request),
                authenticationDetailsSource.buildDetails(request)));
    }

    /** The pictures picked before and the one picked now. */
    static List<Picture> picked(HttpServletRequest request) {
        return Picture.afterPick(request.getParameter("picked"), request.getParameter("pick"), request.getParameter("clear") != null);
    }

    /** Back to the card's page, saying why (nothing about the failure is kept in a session). */
    private static void refused(HttpServletRequest request, HttpServletResponse response, AuthenticationException e) throws IOException {
        String why = e instanceof CardSignIn.CardLocked ? "blocked" : e instanceof org.springframework.security.authentication.LockedException ? "locked" : "error";
        String token = String.valueOf(request.getParameter("token"));
        response.sendRedirect(UriComponentsBuilder.fromPath(request.getContextPath() + PATH + "/{token}").queryParam(why)
                .buildAndExpand(token).encode().toUriString());
    }
}
