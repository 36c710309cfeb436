package org.tilldela.directory.sources;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.tilldela.IntegrationTest;

/** Import sources' OAuth tokens: one source's hung authorization server holds up no other source. */
class SourceTokensTest extends IntegrationTest {

    @Autowired
    SourceTokens tokens;

    @Test
    void aSourceWhoseAuthorizationServerHangsHoldsUpNoOtherSource() throws Exception {
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        HttpServer hung = server(() -> {
            asked.countDown();
            answer.await(30, TimeUnit.SECONDS);
            return "hung-token";
        });
        HttpServer healthy = server(() -> "healthy-token");
        // threads of their own (the common pool may have a single thread on two cores, which the first request would hold)
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
        try {
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() ->
                    tokens.accessToken(UUID.randomUUID(), url(hung), "hung-client", "secret-one", null), callers);
            assertThat(asked.await(10, TimeUnit.SECONDS)).as("the first source's server was asked").isTrue();

            // while that request waits for its answer, another source gets its token at once
            String second = CompletableFuture.supplyAsync(() -> tokens.accessToken(UUID.randomUUID(), url(healthy), "healthy-client", "secret-two", null),
                    callers).get(5, TimeUnit.SECONDS);
            assertThat(second).isEqualTo("healthy-token");
            assertThat(first).isNotDone();

            answer.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("hung-token");
        } finally {
            answer.countDown();
            callers.shutdownNow();
            hung.stop(0);
            healthy.stop(0);
        }
    }

    interface Answer {
        String token() throws Exception;
    }

    /** A token endpoint on the loopback address answering client-credential grants with the given token. */
    private static HttpServer server(Answer answer) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/token", exchange -> {
            try {
                byte[] body = ("{\"access_token\":\"" + answer.token() + "\",\"token_type\":\"Bearer\",\"expires_in\":300}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } catch (Exception e) {
                exchange.sendResponseHeaders(500, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
        return server;
    }

    private static String url(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }
}
