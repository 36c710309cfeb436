package org.tilldela.platform;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Two headers on every response, whichever security filter chain (web, API, supplier API) or none
 * (errors, static files) answers it — hence a servlet filter in front of all of them rather than a
 * setting in each chain. {@code Referrer-Policy: same-origin}: ids in our URLs (persons, groups) never
 * travel to another site in a Referer. {@code Permissions-Policy}: Tilldela uses none of these powerful
 * browser features, so nothing injected into a page could use them either.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class SecurityHeaders {

    static final String REFERRER_POLICY = "same-origin";
    static final String PERMISSIONS_POLICY = String.join(", ",
            "accelerometer=()", "autoplay=()", "bluetooth=()", "camera=()", "display-capture=()", "geolocation=()", "gyroscope=()",
            "hid=()", "magnetometer=()", "microphone=()", "midi=()", "payment=()", "screen-wake-lock=()", "serial=()", "usb=()",
            "xr-spatial-tracking=()");

    @Bean
    FilterRegistrationBean<OncePerRequestFilter> securityHeadersFilter() {
        FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(new OncePerRequestFilter() {
            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                response.setHeader("Referrer-Policy", REFERRER_POLICY);
                response.setHeader("Permissions-Policy", PERMISSIONS_POLICY);
                chain.doFilter(request, response);
            }

            @Override
            protected boolean shouldNotFilterErrorDispatch() {
                return false;
            }
        });
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.setName("securityHeaders");
        return registration;
    }
}
