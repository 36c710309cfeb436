package org.tilldela.directory.ss12000;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestClientResponseException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Change notifications at an SS 12000 server ({@code /subscriptions}, SS 12000 "Subscription"): Tilldela asks
 * the server to POST to a webhook URL when something of the listed resource types changes. The request body is
 * the spec's {@code Subscription_post} — name, target, resourceTypes ({@code [{"resource": "Person"}, …]}); the
 * server answers with the spec's {@code Subscription}, which adds its id and when it expires. {@code PATCH
 * /subscriptions/{id}} extends the expiry, {@code DELETE} ends it. The spec has no field for a secret or a header,
 * so the webhook URL itself carries one (see ImportSources).
 */
@Component
public class Ss12000Subscriptions {

    private static final Logger log = LoggerFactory.getLogger(Ss12000Subscriptions.class);

    /** What Tilldela imports from SS 12000 (EndPointsEnum values): a change to any of them matters (activities: who teaches a group). */
    static final List<String> RESOURCE_TYPES = List.of("Organisation", "Person", "Group", "Duty", "Activity");

    public record Subscription(String id, Instant expires) {
    }

    /** The server refused or could not be reached; the message says so in plain words, never quoting the answer. */
    public static class SubscriptionFailedException extends RuntimeException {
        private final int status;

        SubscriptionFailedException(String message, int status) {
            super(message);
            this.status = status;
        }

        /** The HTTP status the server answered, or 0 when there was no answer. */
        public int status() {
            return status;
        }
    }

    private final Ss12000Readers readers;
    private final JsonMapper json;

    Ss12000Subscriptions(Ss12000Readers readers, JsonMapper json) {
        this.readers = readers;
        this.json = json;
    }

    /** @param tls the source's TLS context (its client certificate, its CA certificates), or null for the JDK's */
    public Subscription subscribe(String baseUrl, String token, SSLContext tls, String name, String target) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("target", target);
        body.put("resourceTypes", RESOURCE_TYPES.stream().map(type -> Map.of("resource", type)).toList());
        return call("create", () -> client(baseUrl, token, tls).post().uri("/subscriptions").contentType(MediaType.APPLICATION_JSON)
                .body(json.writeValueAsString(body)).retrieve().body(String.class));
    }

    public Subscription renew(String baseUrl, String token, SSLContext tls, String id) {
        return call("renew", () -> client(baseUrl, token, tls).patch().uri("/subscriptions/{id}", id).retrieve().body(String.class));
    }

    /** Ends the subscription; one the server no longer knows (404) is ended already. */
    public void unsubscribe(String baseUrl, String token, SSLContext tls, String id) {
        try {
            client(baseUrl, token, tls).delete().uri("/subscriptions/{id}", id).retrieve().toBodilessEntity();
        } catch (RestClientResponseException e) {
            if (e.getStatusCode().value() != 404) {
                throw failed("end", e.getStatusCode().value());
            }
        } catch (RestClientException e) {
            throw failed("end", 0);
        }
    }

    private RestClient client(String baseUrl, String token, SSLContext tls) {
        return readers.client(Ss12000Readers.normalise(baseUrl), token, tls);
    }

    private Subscription call(String what, java.util.function.Supplier<String> request) {
        String answer;
        try {
            answer = request.get();
        } catch (RestClientResponseException e) {
            throw failed(what, e.getStatusCode().value());
        } catch (RestClientException e) {
            throw failed(what, 0);
        }
        try {
            JsonNode node = json.readTree(answer == null ? "" : answer);
            String id = node.path("id").stringValue(null);
            String expires = node.path("expires").stringValue(null);
            if (id == null || id.isBlank() || expires == null) {
                throw new SubscriptionFailedException("the SS 12000 server's answer to the subscription had no id or expiry", 200);
            }
            return new Subscription(id, OffsetDateTime.parse(expires).toInstant());
        } catch (JacksonException | java.time.DateTimeException e) {
            throw new SubscriptionFailedException("the SS 12000 server's answer to the subscription could not be read", 200);
        }
    }

    private static SubscriptionFailedException failed(String what, int status) {
        log.warn("SS 12000 subscription ({}) failed: {}", what, status == 0 ? "no answer" : "HTTP " + status);
        return new SubscriptionFailedException(status == 0 ? "the SS 12000 server could not be reached"
                : "the SS 12000 server answered HTTP " + status + (status == 401 || status == 403 ? " (is the token right, and may it subscribe?)"
                : status == 404 || status == 405 || status == 501 ? " (does the server offer /subscriptions?)" : ""), status);
    }
}
