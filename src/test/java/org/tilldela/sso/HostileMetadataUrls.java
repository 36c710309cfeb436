package org.tilldela.sso;

import com.sun.net.httpserver.HttpServer;

/** Metadata URLs an administrator should not be able to register from: one that redirects, one that never ends. */
final class HostileMetadataUrls {

    private HostileMetadataUrls() {
    }

    /** Adds {@code /moved} (a 302 to {@code movedTo}) and {@code /endless} (4 MB of blanks, far past what is read) to the server. */
    static void addTo(HttpServer server, String movedTo) {
        server.createContext("/moved", exchange -> {
            exchange.getResponseHeaders().add("Location", movedTo);
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.createContext("/endless", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) ' ');
            try (var out = exchange.getResponseBody()) {
                for (int i = 0; i < 64; i++) {
                    out.write(chunk);
                }
            } catch (java.io.IOException e) {
                // the reader stopped at its limit and hung up
            }
        });
    }
}
