package org.tilldela.platform;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.springframework.context.i18n.LocaleContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.LocaleContextResolver;
import org.springframework.web.servlet.LocaleResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.i18n.CookieLocaleResolver;
import org.springframework.web.servlet.i18n.LocaleChangeInterceptor;

/**
 * The UI speaks Swedish, Danish and English: the browser's preference first, then the user's choice
 * (?lang=sv|da|en), remembered in a cookie (HttpOnly: no script reads it).
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

    static final List<Locale> SUPPORTED = List.of(Locale.of("sv"), Locale.of("da"), Locale.ENGLISH);

    /** Not only for the web server: controllers say the limits too, and they exist in command-line contexts as well. */
    @Bean
    RequestBodyLimits requestBodyLimits(@org.springframework.beans.factory.annotation.Value("${tilldela.upload.import-max-size:512MB}")
                                        org.springframework.util.unit.DataSize importMaxSize,
                                        @org.springframework.beans.factory.annotation.Value("${tilldela.upload.max-size:20MB}")
                                        org.springframework.util.unit.DataSize maxSize) {
        return new RequestBodyLimits(importMaxSize, maxSize);
    }

    @Bean
    LocaleResolver localeResolver() {
        return new LanguageCookie(languageCookie(false), languageCookie(true));
    }

    private static CookieLocaleResolver languageCookie(boolean secure) {
        CookieLocaleResolver resolver = new CookieLocaleResolver("tilldela-lang");
        resolver.setCookieMaxAge(Duration.ofDays(365));
        resolver.setCookieHttpOnly(true);
        resolver.setCookieSecure(secure);
        resolver.setDefaultLocaleFunction(request -> {
            for (var range : Collections.list(request.getLocales())) {
                for (Locale supported : SUPPORTED) {
                    if (supported.getLanguage().equals(range.getLanguage())) {
                        return supported;
                    }
                }
            }
            return Locale.ENGLISH;
        });
        return resolver;
    }

    /**
     * The language cookie is Secure whenever the request is — over TLS, behind a trusted TLS proxy or with
     * an https base URL (see PublicOrigin) — like the session cookie. CookieLocaleResolver fixes the flag
     * once, so the choice is made per request between two otherwise equal resolvers.
     */
    static final class LanguageCookie implements LocaleContextResolver {
        private final CookieLocaleResolver plain;
        private final CookieLocaleResolver secure;

        LanguageCookie(CookieLocaleResolver plain, CookieLocaleResolver secure) {
            this.plain = plain;
            this.secure = secure;
        }

        private CookieLocaleResolver writer(HttpServletRequest request) {
            return request.isSecure() ? secure : plain;
        }

        @Override
        public LocaleContext resolveLocaleContext(HttpServletRequest request) {
            return plain.resolveLocaleContext(request);
        }

        @Override
        public void setLocaleContext(HttpServletRequest request, HttpServletResponse response, LocaleContext localeContext) {
            writer(request).setLocaleContext(request, response, localeContext);
        }

        @Override
        public Locale resolveLocale(HttpServletRequest request) {
            return plain.resolveLocale(request);
        }

        @Override
        public void setLocale(HttpServletRequest request, HttpServletResponse response, Locale locale) {
            writer(request).setLocale(request, response, locale);
        }
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        LocaleChangeInterceptor interceptor = new LocaleChangeInterceptor() {
            @Override
            public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) throws ServletException {
                // The language links put ?lang= in the query, and only the query is looked at: asking for a request
                // parameter makes Tomcat parse (and spool) a multipart body — on the error page of an upload refused
                // unread too (see RequestBodyGate), whose dispatch is a GET.
                return super.preHandle(new HttpServletRequestWrapper(request) {
                    @Override
                    public String getParameter(String name) {
                        String query = getQueryString();
                        if (query == null) {
                            return null;
                        }
                        for (String pair : query.split("&")) {
                            int eq = pair.indexOf('=');
                            try {
                                if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
                                    return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                                }
                            } catch (IllegalArgumentException e) {
                                return null; // a malformed escape: no language asked for
                            }
                        }
                        return null;
                    }
                }, response, handler);
            }
        };
        interceptor.setParamName("lang");
        interceptor.setIgnoreInvalidLocale(true);
        registry.addInterceptor(interceptor);
    }
}
