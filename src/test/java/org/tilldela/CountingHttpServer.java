package org.tilldela;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain HTTP server on an address of the test's choosing (127.0.0.2 is loopback too, yet not one an allowed-hosts
 * setting lists) that answers every request with one status and counts them: for tests that show a request was never
 * made.
 */
public final class CountingHttpServer implements AutoCloseable {

    private final HttpServer server;
    private final String host;
    private final AtomicInteger asked = new AtomicInteger();

    public CountingHttpServer(String host, int status) throws IOException {
        this.host = host;
        server = HttpServer.create(new InetSocketAddress(host, 0), 0);
        server.createContext("/", exchange -> {
            asked.incrementAndGet();
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    /** {@code http://host:port} and the path. */
    public String url(String path) {
        return "http://" + host + ":" + server.getAddress().getPort() + path;
    }

    /** How many requests it was sent. */
    public int asked() {
        return asked.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
