package org.tilldela.sso;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.tilldela.platform.OutboundHosts;

/**
 * Fetches one entity's SAML metadata from the URL an administrator gave, for either side (an SP that Tilldela signs
 * in to, an IdP that signs people in to Tilldela). Follows no redirect — the administrator gave this address, not
 * whatever it points on to — and reads no more than one entity's metadata can be, so a URL that streams on and on
 * cannot fill the heap. Problems are {@link IllegalArgumentException}s whose message the administrator can read.
 */
final class SamlMetadataFetch {

    /** Metadata larger than this is not one entity's (a federation's aggregate is registered entity by entity). */
    static final int MAX_METADATA_BYTES = 256 * 1024;

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private SamlMetadataFetch() {
    }

    /** The URL checked: http or https with a host. */
    static URI url(String metadataUrl) {
        URI uri;
        try {
            uri = URI.create(metadataUrl == null ? "" : metadataUrl.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("The metadata URL is not a URL.");
        }
        if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("The metadata URL must be an http or https URL.");
        }
        return uri;
    }

    /**
     * The metadata at that URL, as text; {@code whose} names the entity in the size refusal ("an SP's"). An address
     * {@code hosts} does not allow is refused before anything is sent ({@link OutboundHosts.NotAllowed}, whose message
     * says so).
     */
    static String fetch(URI uri, String whose, OutboundHosts hosts) {
        byte[] body;
        try {
            body = RestClient.builder().requestFactory(hosts.requests(TIMEOUT)).build().get().uri(uri).exchange((request, response) -> {
                if (!response.getStatusCode().is2xxSuccessful()) {
                    throw new IllegalArgumentException("The metadata could not be fetched from " + uri + " (HTTP " + response.getStatusCode().value() + ").");
                }
                try (InputStream in = response.getBody()) {
                    return in.readNBytes(MAX_METADATA_BYTES + 1);
                }
            });
        } catch (RestClientException e) {
            OutboundHosts.refusal(e).ifPresent(refused -> {
                throw refused; // says which address and which setting
            });
            throw new IllegalArgumentException("The metadata could not be fetched from " + uri + ".");
        }
        if (body == null || body.length == 0) {
            throw new IllegalArgumentException("The metadata URL answered nothing.");
        }
        if (body.length > MAX_METADATA_BYTES) {
            throw new IllegalArgumentException("The metadata is larger than " + whose + " metadata is.");
        }
        return new String(body, StandardCharsets.UTF_8);
    }
}
