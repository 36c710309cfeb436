package org.tilldela.platform;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires {@link PublicOrigin} (tilldela.base-url, tilldela.trusted-proxies) into the embedded Tomcat. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class PublicOriginConfiguration {

    @Bean
    PublicOrigin publicOrigin(@Value("${tilldela.base-url:}") String baseUrl, @Value("${tilldela.trusted-proxies:}") String trustedProxies) {
        return new PublicOrigin(baseUrl, trustedProxies);
    }

    /**
     * Where every door that signs people in with a form keeps its CSRF token: a cookie (see CsrfCookies), so
     * that showing a sign-in page to a stranger writes no session row. The sign-in doors of other modules use it too.
     */
    @Bean
    org.springframework.security.web.csrf.CsrfTokenRepository csrfTokens(PublicOrigin origin) {
        return CsrfCookies.repository(origin);
    }

    /** Without a base URL the origin is http://localhost on the server's port, which a random port (tests) knows only once started. */
    @Bean
    ApplicationListener<WebServerInitializedEvent> publicOriginPort(PublicOrigin origin) {
        return event -> {
            if (origin.port() == 0 && event.getApplicationContext().getServerNamespace() == null
                    && event.getWebServer() instanceof TomcatWebServer tomcat) {
                tomcat.getTomcat().getConnector().setProxyPort(event.getWebServer().getPort());
            }
        };
    }
}
