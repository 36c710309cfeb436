package org.tilldela.platform;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
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
        LocaleChangeInterceptor interceptor = new LocaleChangeInterceptor();
        interceptor.setParamName("lang");
        interceptor.setIgnoreInvalidLocale(true);
        registry.addInterceptor(interceptor);
    }
}
