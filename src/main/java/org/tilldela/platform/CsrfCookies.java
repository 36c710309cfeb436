package org.tilldela.platform;

import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfTokenRepository;

/**
 * Where the web UI keeps its CSRF token: in a cookie (Spring Security's double-submit repository), not in
 * the HTTP session. The sign-in form needs a token before anyone has signed in; kept in the session, it
 * made every anonymous look at /login (every bot, every health probe that follows a redirect) write a
 * session row to PostgreSQL. Sessions now begin at sign-in. The form still carries the token masked
 * (Spring's default XOR handler), the cookie is HttpOnly, SameSite=Lax, and Secure on a secure request;
 * with an https base URL it is also a {@code __Host-} cookie, which no sibling subdomain can set or
 * overwrite — the weak point of plain double-submit cookies.
 */
final class CsrfCookies {

    private CsrfCookies() {
    }

    static CsrfTokenRepository repository(PublicOrigin origin) {
        CookieCsrfTokenRepository repository = new CookieCsrfTokenRepository();
        boolean hostOnly = origin != null && origin.https();
        if (hostOnly) {
            repository.setCookieName("__Host-XSRF-TOKEN");
            repository.setCookiePath("/");
        }
        repository.setCookieCustomizer(c -> {
            c.sameSite("Lax");
            if (hostOnly) {
                c.secure(true);
            }
        });
        return repository;
    }
}
