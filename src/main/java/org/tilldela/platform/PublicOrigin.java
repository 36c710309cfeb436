package org.tilldela.platform;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.valves.RemoteIpValve;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * Where users reach Tilldela (the configured base URL), and which reverse proxies may tell it more about a
 * request. Tomcat's own proxy support does the work, so no code path can get it wrong on its own:
 * <ul>
 *   <li>The connector's {@code proxyName}/{@code proxyPort} are the base URL's host and port, so
 *       {@code getServerName()}, {@code getServerPort()}, {@code getRequestURL()}, Tomcat's absolute
 *       redirects and Spring Security's login redirect all use them — the Host header never reaches a
 *       Location. With an https base URL the connector reports {@code https} and {@code isSecure()}
 *       (TLS ends at a proxy in front), so the session and CSRF cookies are marked Secure.</li>
 *   <li>{@code X-Forwarded-For} and {@code X-Forwarded-Proto} count only when the connection comes from a
 *       trusted proxy ({@link RemoteIpValve} internalProxies, as CIDR); from anybody else they are
 *       ignored. {@code X-Forwarded-Host} and {@code -Port} never count: the base URL names host and port,
 *       and a proxy that passed a client's Host on would only bring the forged-host problem back.</li>
 * </ul>
 */
final class PublicOrigin implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> {

    private final URI baseUrl;
    private final String trustedProxies;

    /**
     * @param baseUrl        e.g. https://tilldela.example.se; blank: http://localhost on the server's own port
     * @param trustedProxies comma-separated addresses or CIDR blocks; blank: none
     */
    PublicOrigin(String baseUrl, String trustedProxies) {
        this.baseUrl = baseUrl == null || baseUrl.isBlank() ? null : parse(baseUrl.strip());
        this.trustedProxies = cidrs(trustedProxies);
    }

    static URI parse(String baseUrl) {
        URI uri = URI.create(baseUrl);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null
                || uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")
                || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("tilldela.base-url must be an http or https origin such as https://tilldela.example.se, not " + baseUrl);
        }
        return uri;
    }

    /** Tomcat reads internalProxies as CIDR blocks only when one has a "/", else as a regular expression: give every entry its mask. */
    static String cidrs(String list) {
        if (list == null || list.isBlank()) {
            return null;
        }
        List<String> blocks = new ArrayList<>();
        for (String entry : list.split(",")) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            String address = e.contains("/") ? e.substring(0, e.indexOf('/')) : e;
            try {
                // a literal address only: no name is looked up
                if (!address.matches("[0-9a-fA-F:.]+")) {
                    throw new UnknownHostException(address);
                }
                InetAddress parsed = InetAddress.getByName(address);
                blocks.add(e.contains("/") ? e : e + (parsed.getAddress().length == 4 ? "/32" : "/128"));
            } catch (UnknownHostException ex) {
                throw new IllegalArgumentException("tilldela.trusted-proxies takes IP addresses and CIDR blocks, not " + e, ex);
            }
        }
        return blocks.isEmpty() ? null : String.join(", ", blocks);
    }

    boolean https() {
        return baseUrl != null && baseUrl.getScheme().equalsIgnoreCase("https");
    }

    /** The base URL's port, or 0 when it is not configured and so the server's own port. */
    int port() {
        if (baseUrl == null) {
            return 0;
        }
        return baseUrl.getPort() != -1 ? baseUrl.getPort() : https() ? 443 : 80;
    }

    @Override
    public void customize(ConfigurableTomcatWebServerFactory factory) {
        factory.addConnectorCustomizers(this::customize);
        if (trustedProxies != null) {
            RemoteIpValve valve = new RemoteIpValve();
            valve.setInternalProxies(trustedProxies);
            valve.setTrustedProxies(null);
            valve.setRemoteIpHeader("X-Forwarded-For");
            valve.setProtocolHeader("X-Forwarded-Proto");
            valve.setHostHeader(null);
            valve.setPortHeader(null);
            if (baseUrl != null) {
                // a proxy saying https or http switches the scheme; the port is then the base URL's when the schemes agree
                valve.setHttpsServerPort(https() ? port() : 443);
                valve.setHttpServerPort(https() ? 80 : port());
            }
            factory.addEngineValves(valve);
        }
    }

    void customize(Connector connector) {
        connector.setProxyName(baseUrl == null ? "localhost" : baseUrl.getHost());
        if (port() != 0) {
            connector.setProxyPort(port());
        } else if (connector.getPort() > 0) {
            connector.setProxyPort(connector.getPort());
        }
        // else: a random port (tests) — set once it is known (PublicOriginConfiguration)
        if (https()) {
            connector.setScheme("https");
            connector.setSecure(true);
        }
    }
}
