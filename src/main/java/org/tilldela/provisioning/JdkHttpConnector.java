package org.tilldela.provisioning;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import jakarta.ws.rs.ProcessingException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.glassfish.jersey.client.ClientRequest;
import org.glassfish.jersey.client.ClientResponse;
import org.glassfish.jersey.client.spi.AsyncConnectorCallback;
import org.glassfish.jersey.client.spi.Connector;
import org.glassfish.jersey.message.internal.Statuses;
import org.tilldela.platform.OutboundHosts;

/**
 * Jersey's transport over the JDK's HTTP client. Jersey's default transport (HttpURLConnection) cannot send
 * PATCH on current JDKs without opening JDK internals, and SCIM updates are PATCH (RFC 7644 §3.5.2). The
 * JDK client bounds connecting and the wait for the status line and headers; the body it does not bound, so the
 * whole exchange — headers and body — is awaited here for at most the timeout: a supplier that sends headers and
 * then trickles or stops its body must not hold a worker (and the operations it has claimed) for ever.
 */
final class JdkHttpConnector implements Connector {

    /** Headers the JDK client sets itself and refuses from callers. */
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

    private final HttpClient http;
    private final Duration timeout;
    private final ConnectorHosts hosts;

    /**
     * @param hosts where connectors may send (checked before every connection)
     * @param tls   the TLS context (a client certificate for mutual TLS, a supplier's CA); null: the JDK's default
     */
    JdkHttpConnector(Duration timeout, ConnectorHosts hosts, javax.net.ssl.SSLContext tls) {
        this.timeout = timeout;
        this.hosts = hosts;
        this.http = client(timeout, tls);
    }

    /**
     * The JDK client every call to a supplier goes through: connect timeout, never a redirect (it would carry the
     * connector's credentials to an address nobody configured), the connector's own TLS context (null: the JDK's default).
     */
    static HttpClient client(Duration timeout, javax.net.ssl.SSLContext tls) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER);
        if (tls != null) {
            builder.sslContext(tls);
        }
        return builder.build();
    }

    @Override
    public ClientResponse apply(ClientRequest request) {
        try {
            // the addresses the name has now: a name that came to point inside the network is not followed there
            hosts.check(request.getUri(), true);
        } catch (OutboundHosts.NotAllowed e) {
            throw new ProcessingException(e.getMessage(), e);
        }
        try {
            HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();
            if (request.hasEntity()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                request.setStreamProvider(contentLength -> out);
                request.writeEntity();
                body = HttpRequest.BodyPublishers.ofByteArray(out.toByteArray());
            }
            HttpRequest.Builder builder = HttpRequest.newBuilder(request.getUri()).timeout(timeout).method(request.getMethod(), body);
            for (Map.Entry<String, List<String>> header : request.getStringHeaders().entrySet()) {
                if (!RESTRICTED.contains(header.getKey().toLowerCase(java.util.Locale.ROOT))) {
                    header.getValue().forEach(v -> builder.header(header.getKey(), v));
                }
            }
            HttpResponse<byte[]> answer = exchange(http, builder.build(), timeout);
            ClientResponse response = new ClientResponse(Statuses.from(answer.statusCode()), request);
            answer.headers().map().forEach((name, values) -> {
                if (!name.startsWith(":")) {
                    values.forEach(v -> response.getHeaders().add(name, v));
                }
            });
            response.setEntityStream(new ByteArrayInputStream(answer.body()));
            return response;
        } catch (IOException e) {
            throw new ProcessingException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessingException("interrupted", e);
        }
    }

    /**
     * Sends and reads the whole answer (headers and body) within the timeout, or fails with {@link HttpTimeoutException}
     * (retriable). The body is read in full here — a SCIM answer is one page or one resource — so nothing of the
     * exchange is left for Jersey to wait on afterwards.
     */
    static HttpResponse<byte[]> exchange(HttpClient http, HttpRequest request, Duration timeout) throws IOException, InterruptedException {
        CompletableFuture<HttpResponse<byte[]>> pending = http.sendAsync(request, info -> new Bounded(LARGEST_ANSWER));
        try {
            return pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true); // the JDK client aborts the exchange and closes its connection
            throw new HttpTimeoutException("timed out: no complete answer (headers and body) within " + timeout);
        } catch (InterruptedException e) {
            pending.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    /**
     * The largest answer read from a supplier: a SCIM page of a thousand users or a Bulk answer is well under a
     * megabyte; more than this is refused rather than held in memory (the node signs pupils in, too).
     */
    static final int LARGEST_ANSWER = 32 * 1024 * 1024;

    /** An answer's body as bytes, at most {@code limit} of them: more cancels the exchange with an IOException (retriable). */
    static final class Bounded implements HttpResponse.BodySubscriber<byte[]> {
        private final int limit;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private java.util.concurrent.Flow.Subscription subscription;

        Bounded(int limit) {
            this.limit = limit;
        }

        @Override
        public java.util.concurrent.CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(java.util.concurrent.Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<java.nio.ByteBuffer> buffers) {
            for (java.nio.ByteBuffer buffer : buffers) {
                if (bytes.size() + buffer.remaining() > limit) {
                    subscription.cancel();
                    body.completeExceptionally(new IOException("the answer is larger than " + limit + " bytes"));
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            body.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toByteArray());
        }
    }

    /**
     * A Nimbus OAuth request (the token endpoint's) as one bounded exchange over the JDK client, like every SCIM call:
     * Nimbus's own transport (HttpURLConnection) bounds each read only, so a token endpoint that trickles its answer
     * would hold the worker. No redirects (they would carry the client's credentials elsewhere); {@code tls}: the
     * connector's own TLS context, null for the JDK's default. The caller checks the address (ConnectorHosts) first.
     */
    static HTTPResponse send(HTTPRequest request, Duration timeout, javax.net.ssl.SSLContext tls) throws IOException, InterruptedException {
        HttpClient http = client(timeout, tls);
        try {
            String body = request.getBody();
            HttpRequest.Builder outgoing = HttpRequest.newBuilder(request.getURI()).timeout(timeout).method(request.getMethod().name(),
                    body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            request.getHeaderMap().forEach((name, values) -> {
                if (!RESTRICTED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                    values.forEach(v -> outgoing.header(name, v));
                }
            });
            HttpResponse<byte[]> answer = exchange(http, outgoing.build(), timeout);
            HTTPResponse response = new HTTPResponse(answer.statusCode());
            answer.headers().map().forEach((name, values) -> {
                if (!name.startsWith(":")) {
                    response.setHeader(name, values.toArray(String[]::new));
                }
            });
            // a token response is JSON, and JSON is UTF-8 (RFC 8259 §8.1)
            response.setBody(new String(answer.body(), StandardCharsets.UTF_8));
            return response;
        } finally {
            http.shutdownNow(); // one exchange per token; nothing of it may linger
        }
    }

    @Override
    public Future<?> apply(ClientRequest request, AsyncConnectorCallback callback) {
        try {
            callback.response(apply(request));
        } catch (Throwable t) {
            callback.failure(t);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public String getName() {
        return "JDK HttpClient";
    }

    @Override
    public void close() {
        http.close();
    }
}
