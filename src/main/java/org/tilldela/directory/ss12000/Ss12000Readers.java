package org.tilldela.directory.ss12000;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.tilldela.directory.importing.SnapshotReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Makes SS 12000 readers: one per import, for one source, server and token. The token goes in the
 * Authorization header and nowhere else (never logged, never stored).
 */
@Component
public class Ss12000Readers {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
    /** Generous: a server may take a while to assemble a page of 500 persons. */
    private static final Duration READ_TIMEOUT = Duration.ofMinutes(5);

    private final ObjectProvider<RestClient.Builder> builders;
    private final JsonMapper json;
    private final AllowedHosts allowedHosts;

    Ss12000Readers(ObjectProvider<RestClient.Builder> builders, JsonMapper json,
                   @Value("${tilldela.import.allowed-hosts:}") String allowedHosts) {
        this.builders = builders;
        this.json = json;
        this.allowedHosts = new AllowedHosts(allowedHosts);
    }

    /**
     * @param source      the source the reader will import (as in ImportOptions)
     * @param baseUrl     the API's base URL, e.g. https://sis.example/ss12000/v2 (the endpoints go under it)
     * @param bearerToken the token to send, or null/blank to send none
     * @param delta       fetch only what changed since this source's last sync (everything when there was none)
     * @throws HostNotAllowedException when the URL's host and port are not in {@code tilldela.import.allowed-hosts}
     */
    public SnapshotReader reader(String source, String baseUrl, String bearerToken, boolean delta) {
        return reader(source, baseUrl, bearerToken, null, delta);
    }

    /**
     * @param tls the TLS context to connect with (a client certificate to present, the CA certificates to trust), or null
     *            for the JDK's default
     */
    public SnapshotReader reader(String source, String baseUrl, String bearerToken, SSLContext tls, boolean delta) {
        String base = normalise(baseUrl);
        return new Ss12000Reader(new Ss12000Client(client(base, bearerToken, tls), json), json, source, base, delta);
    }

    /** Whether a fetch failed before there was an answer to read (refused, timed out, any non-2xx status). */
    public static boolean unreachable(org.tilldela.directory.importing.ImportProblem problem) {
        return Ss12000Client.UNREACHABLE.equals(problem.reason());
    }

    /**
     * An HTTP client for one server, its host checked against the allowed ones first.
     *
     * @throws HostNotAllowedException when the URL's host and port are not in {@code tilldela.import.allowed-hosts}
     */
    RestClient client(String base, String bearerToken, SSLContext tls) { // tls: a client certificate, CAs to trust; null: the JDK default
        URI uri = URI.create(base);
        if (!allowedHosts.permits(uri)) {
            throw new HostNotAllowedException(uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort());
        }
        // Redirects are never followed: one could lead to a host nobody allowed. A 3xx is a failure like any non-2xx.
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER);
        if (tls != null) {
            http.sslContext(tls);
        }
        HttpClient httpClient = http.build();
        JdkClientHttpRequestFactory requestFactory = new JdkClientHttpRequestFactory(httpClient);
        requestFactory.setReadTimeout(READ_TIMEOUT);
        return builders.getIfAvailable(RestClient::builder)
                .baseUrl(base)
                .requestFactory(requestFactory)
                .defaultHeaders(headers -> {
                    headers.setAccept(List.of(MediaType.APPLICATION_JSON));
                    if (bearerToken != null && !bearerToken.isBlank()) {
                        headers.setBearerAuth(bearerToken.strip());
                    }
                })
                .build();
    }

    /** Whether imports may fetch from this URL's host and port ({@code tilldela.import.allowed-hosts}). */
    public boolean allowed(URI url) {
        return allowedHosts.permits(url);
    }

    static String normalise(String baseUrl) {
        if (baseUrl == null || baseUrl.isBlank()) {
            throw new IllegalArgumentException("an SS 12000 base URL is needed");
        }
        String base = baseUrl.strip();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        try {
            URI uri = new URI(base);
            if (!("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException("the SS 12000 base URL must be an http(s) URL with a host, got '" + base + "'");
            }
            if (uri.getQuery() != null || uri.getFragment() != null) {
                throw new IllegalArgumentException("the SS 12000 base URL must not have a query or fragment");
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the SS 12000 base URL is not a valid URL: " + e.getMessage());
        }
        return base;
    }
}
