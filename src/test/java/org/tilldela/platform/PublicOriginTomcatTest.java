package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServer;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.session.web.http.CookieSerializer;
import org.springframework.session.web.http.DefaultCookieSerializer;
import org.springframework.web.servlet.LocaleResolver;
import org.tilldela.RawHttp;

/**
 * The public origin in a bare Tomcat, configured as operators would: an https base URL behind a TLS proxy,
 * and proxies trusted by address. A servlet shows what the application sees of each request and sets the
 * session, language and CSRF cookies the way Spring Session, the locale resolver and Spring Security do.
 */
class PublicOriginTomcatTest {

    private static final class Echo extends HttpServlet {
        private final PublicOrigin origin;

        Echo(PublicOrigin origin) {
            this.origin = origin;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            switch (request.getRequestURI()) {
                case "/redirect" -> response.sendRedirect("/signed-in");
                case "/cookies" -> {
                    new DefaultCookieSerializer().writeCookieValue(new CookieSerializer.CookieValue(request, response, "session-id"));
                    LocaleResolver language = new WebConfiguration().localeResolver();
                    language.setLocale(request, response, Locale.of("sv"));
                    CsrfTokenRepository csrf = CsrfCookies.repository(origin);
                    csrf.saveToken(csrf.generateToken(request), request, response);
                }
                default -> response.getWriter().print("scheme=" + request.getScheme() + ";secure=" + request.isSecure() + ";host=" + request.getServerName()
                        + ";port=" + request.getServerPort() + ";remote=" + request.getRemoteAddr() + ";url=" + request.getRequestURL());
            }
        }
    }

    private static void serve(PublicOrigin origin, Consumer<Integer> test) {
        TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory(0);
        factory.addContextCustomizers(context -> context.setUseRelativeRedirects(false)); // as the application has it
        origin.customize(factory);
        WebServer server = factory.getWebServer(context -> context.addServlet("echo", new Echo(origin)).addMapping("/"));
        server.start();
        try {
            test.accept(server.getPort());
        } finally {
            server.stop();
        }
    }

    @Test
    void anHttpsBaseUrlNamesEveryAbsoluteUrlAndMakesEveryCookieSecure() {
        serve(new PublicOrigin("https://tilldela.example.se", ""), port -> {
            RawHttp client = RawHttp.to(port);
            assertThat(client.get("/", "Host: evil.example:6666").body())
                    .isEqualTo("scheme=https;secure=true;host=tilldela.example.se;port=443;remote=127.0.0.1;url=https://tilldela.example.se/");
            assertThat(client.get("/redirect", "Host: evil.example").header("Location")).isEqualTo("https://tilldela.example.se/signed-in");
            assertThat(client.get("/", "X-Forwarded-Host: evil.example", "X-Forwarded-For: 203.0.113.7").body())
                    .as("no proxy is trusted").contains("host=tilldela.example.se", "remote=127.0.0.1");

            RawHttp.Response cookies = client.get("/cookies");
            assertThat(cookies.setCookie("SESSION")).contains("; Secure");
            assertThat(cookies.setCookie("tilldela-lang")).contains("; Secure", "HttpOnly");
            assertThat(cookies.setCookie("__Host-XSRF-TOKEN")).contains("; Secure", "Path=/", "HttpOnly").doesNotContain("Domain");
        });
    }

    @Test
    void forwardedHeadersCountFromTrustedProxiesOnly() {
        serve(new PublicOrigin("http://tilldela.example.se:8080", "127.0.0.2, 10.0.0.0/8"), port -> {
            String[] forwarded = {"X-Forwarded-For: 203.0.113.7", "X-Forwarded-Proto: https", "X-Forwarded-Host: evil.example",
                    "X-Forwarded-Port: 6666"};
            assertThat(RawHttp.to(port, "127.0.0.2").get("/", forwarded).body())
                    .isEqualTo("scheme=https;secure=true;host=tilldela.example.se;port=443;remote=203.0.113.7;url=https://tilldela.example.se/");
            assertThat(RawHttp.to(port, "127.0.0.2").get("/cookies", forwarded).setCookie("SESSION")).contains("; Secure");

            assertThat(RawHttp.to(port).get("/", forwarded).body())
                    .isEqualTo("scheme=http;secure=false;host=tilldela.example.se;port=8080;remote=127.0.0.1;url=http://tilldela.example.se:8080/");
            RawHttp.Response direct = RawHttp.to(port).get("/cookies", forwarded);
            assertThat(direct.setCookie("SESSION")).doesNotContain("Secure");
            assertThat(direct.setCookie("tilldela-lang")).doesNotContain("Secure");
            assertThat(direct.setCookie("XSRF-TOKEN")).doesNotContain("Secure");
        });
    }

    @Test
    void aMistakenSettingStopsTheStartInsteadOfBeingGuessedAt() {
        assertThat(PublicOrigin.cidrs("10.0.0.1, ::1, 192.168.0.0/16")).isEqualTo("10.0.0.1/32, ::1/128, 192.168.0.0/16");
        assertThat(PublicOrigin.cidrs(" ")).isNull();
        assertThatThrownBy(() -> PublicOrigin.cidrs("proxy.example")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PublicOrigin("ftp://tilldela.example.se", "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PublicOrigin("https://tilldela.example.se/tilldela", "")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new PublicOrigin("https://tilldela.example.se/", "").port()).isEqualTo(443);
    }
}
