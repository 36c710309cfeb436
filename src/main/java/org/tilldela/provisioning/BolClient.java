package org.tilldela.provisioning;

import jakarta.ws.rs.ProcessingException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.tilldela.platform.OutboundHosts;
import tools.jackson.databind.json.JsonMapper;

/**
 * One publisher's BOL service: a JSON POST to {@code base + path}, authenticated as the connector says (a bearer token, an
 * OAuth access token bought with client credentials, or mutual TLS), with the connector's own TLS trust, no redirects,
 * and the whole answer within the HTTP timeout — like every SCIM call.
 */
final class BolClient implements ConnectorClient {

    private final Connectors.Endpoint endpoint;
    private final Duration timeout;
    private final ConnectorHosts hosts;
    private final JsonMapper json;
    private final HttpClient http;
    private final SupplierTokens tokens;

    BolClient(Connectors.Endpoint endpoint, Duration timeout, ConnectorHosts hosts, JsonMapper json) {
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.hosts = hosts;
        this.json = json;
        javax.net.ssl.SSLContext tls = endpoint.tls();
        this.http = JdkHttpConnector.client(timeout, tls);
        this.tokens = new SupplierTokens(endpoint, timeout, hosts, tls);
    }

    @Override
    public Connectors.Endpoint endpoint() {
        return endpoint;
    }

    /** The publisher's answer: its status, and its body read as {@code type} (2xx) or as a problem (otherwise, when it is one). */
    record Answer<T>(int status, T body, BolMessages.Problem problem, String retryAfter) {

        /** A refusal or failure (no body) as the worker settles it: by the same rules as a SCIM call's status, with the problem's words. */
        ProvisioningWorker.Failure failure() {
            ProvisioningWorker.Failure of = ProvisioningWorker.Failure.ofStatus(status, problem == null ? "" : problem.say());
            return new ProvisioningWorker.Failure(of.retriable(), problem == null ? "HTTP " + status : ProvisioningWorker.Failure.cut(of.reason(), 2000),
                    ProvisioningWorker.Failure.retryAfter(retryAfter));
        }
    }

    /**
     * Posts {@code message} and reads the answer. A transport failure (no connection, a timeout, an address not allowed)
     * is a {@link ProcessingException}; a 2xx whose body is not the message BOL defines is one too (retriable: the
     * publisher's answer was broken, not our request).
     */
    <T> Answer<T> post(String path, Object message, Class<T> type) {
        URI uri = URI.create(endpoint.baseUrl() + path);
        try {
            hosts.check(uri, true); // the addresses the name has now: one that came to point inside the network is not followed
        } catch (OutboundHosts.NotAllowed e) {
            throw new ProcessingException(e.getMessage(), e);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json").header("Accept", "application/json, application/problem+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(message)));
        if (endpoint.auth() != Connector.Auth.MUTUAL_TLS) {
            request.header("Authorization", "Bearer " + tokens.bearer());
        }
        HttpResponse<byte[]> answer;
        try {
            answer = JdkHttpConnector.exchange(http, request.build(), timeout);
        } catch (IOException e) {
            throw new ProcessingException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessingException("interrupted", e);
        }
        int status = answer.statusCode();
        if (status == 401) {
            tokens.expire(); // a revoked or expired token: a new one for the retry
        }
        String retryAfter = answer.headers().firstValue("Retry-After").orElse(null);
        if (status / 100 == 2) {
            try {
                return new Answer<>(status, json.readValue(answer.body(), type), null, retryAfter);
            } catch (RuntimeException malformed) {
                throw new ProcessingException("the publisher's answer is not a BOL message: " + malformed.getClass().getSimpleName());
            }
        }
        BolMessages.Problem problem = null;
        try {
            problem = answer.body().length == 0 ? null : json.readValue(answer.body(), BolMessages.Problem.class);
        } catch (RuntimeException notAProblem) {
            // an HTML error page or nothing: the status alone says it
        }
        return new Answer<>(status, null, problem, retryAfter);
    }

    @Override
    public void close() {
        http.close();
    }
}
