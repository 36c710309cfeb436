package org.tilldela.platform;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;
import tools.jackson.databind.json.JsonMapper;

/**
 * One JSON line per request on the logger {@code org.tilldela.requests}, off unless its level is INFO
 * ({@code logging.level.org.tilldela.requests=INFO}): method, the matched route (its template, {@code /directory/persons/{id}},
 * never the path with the id in it), status and milliseconds. Nothing that could be about a person: no path, no query,
 * no user name, no address, no user agent.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class RequestLog {

    static final Logger log = LoggerFactory.getLogger("org.tilldela.requests");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Bean
    FilterRegistrationBean<OncePerRequestFilter> requestLogFilter() {
        FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(new OncePerRequestFilter() {
            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                if (!log.isInfoEnabled()) {
                    chain.doFilter(request, response);
                    return;
                }
                long started = System.nanoTime();
                try {
                    chain.doFilter(request, response);
                } finally {
                    log.info(line(request, response.getStatus(), (System.nanoTime() - started) / 1_000_000));
                }
            }
        });
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    static String line(HttpServletRequest request, int status, long millis) {
        Object route = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("method", request.getMethod());
        // unmatched requests (static files, refused before a controller, not found) are not told apart by path
        fields.put("route", route != null ? route.toString() : "UNMATCHED");
        fields.put("status", status);
        fields.put("ms", millis);
        return JSON.writeValueAsString(fields);
    }
}
