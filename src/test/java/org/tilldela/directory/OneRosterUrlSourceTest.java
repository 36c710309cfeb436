package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.util.ReflectionTestUtils;
import org.tilldela.directory.sources.ImportSources;
import org.tilldela.directory.sources.SourceRuns;

/**
 * An import source that fetches a OneRoster package from a URL, over real HTTP from a server started in the test: the
 * package is fetched with the source's bearer token and imported; a server that sends its headers and then stalls, or
 * trickles the body a byte at a time, fails the run (unreachable) within the download timeout instead of holding the
 * source for ever; nothing of a fetched package stays in the data directory either way. All names are synthetic.
 */
class OneRosterUrlSourceTest extends DirectoryImportTestSupport {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @Autowired
    ImportSources sources;
    @Autowired
    SourceRuns sourceRuns;

    HttpServer server;
    String name;
    final String token = "pkg-token-" + UUID.randomUUID();
    final AtomicReference<String> presented = new AtomicReference<>();
    byte[] zip;

    @BeforeEach
    void start() throws IOException {
        name = newSource("url-source");
        zip = Files.readAllBytes(OneRosterPackage.small().writeV12(tmp.resolve("package.zip")));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/package.zip", exchange -> {
            try (exchange) {
                presented.set(exchange.getRequestHeaders().getFirst("Authorization"));
                exchange.sendResponseHeaders(200, zip.length);
                exchange.getResponseBody().write(zip);
            }
        });
        server.createContext("/stalls.zip", exchange -> stall(exchange.getResponseBody(), exchange, false));
        server.createContext("/trickles.zip", exchange -> stall(exchange.getResponseBody(), exchange, true));
        server.start();
    }

    /** Sends the package's first bytes and then nothing more, or a byte every 200 ms, for up to a minute. */
    private void stall(OutputStream body, com.sun.net.httpserver.HttpExchange exchange, boolean trickle) {
        try (exchange) {
            exchange.sendResponseHeaders(200, zip.length);
            body.write(zip, 0, 100);
            body.flush();
            for (int i = 0; i < 300; i++) {
                Thread.sleep(200);
                if (trickle) {
                    body.write(zip[100 + i]);
                    body.flush();
                }
            }
        } catch (InterruptedException | IOException e) {
            // the client gave up: that is the point
        }
    }

    @AfterEach
    void stop() {
        sources.list().stream().filter(s -> s.name().equals(name)).forEach(s -> sources.delete(s.id(), "test"));
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private List<Path> downloads() throws IOException {
        Path dir = dataDir().resolve("imports");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void aPackageAtAUrlIsFetchedWithTheTokenAndImported() throws IOException {
        List<Path> before = downloads();
        UUID id = sources.create(new ImportSources.Settings(name, ImportSources.Kind.ONEROSTER_URL, url("/package.zip"), token, 5, null, true, false),
                "test", null);

        assertThat(sourceRuns.run(id, Instant.now())).isEqualTo(SourceRuns.Result.RAN);

        ImportSources.Source ran = sources.find(id).orElseThrow();
        assertThat(ran.lastOutcome()).as(String.valueOf(ran.lastFailure())).isEqualTo(ImportSources.Outcome.SUCCEEDED);
        assertThat(presented.get()).isEqualTo("Bearer " + token);
        assertThat(count("person", name)).isEqualTo(OneRosterPackage.small().users.size());
        assertThat(downloads()).as("the imported package is not kept").isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/stalls.zip", "/trickles.zip"})
    void aServerThatStallsOrTricklesFailsTheRunWithinTheDownloadTimeout(String path) throws IOException {
        List<Path> before = downloads();
        UUID id = sources.create(new ImportSources.Settings(name, ImportSources.Kind.ONEROSTER_URL, url(path), token, 5, null, true, false),
                "test", null);
        Object configured = ReflectionTestUtils.getField(sourceRuns, "downloadTimeout");
        ReflectionTestUtils.setField(sourceRuns, "downloadTimeout", TIMEOUT);
        try {
            long started = System.nanoTime();
            assertThat(sourceRuns.run(id, Instant.now())).isEqualTo(SourceRuns.Result.RAN);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(took).as("given up at about the timeout, not at the server's minute").isLessThan(TIMEOUT.plusSeconds(6));
        } finally {
            ReflectionTestUtils.setField(sourceRuns, "downloadTimeout", configured);
        }
        ImportSources.Source failed = sources.find(id).orElseThrow();
        assertThat(failed.lastOutcome()).isEqualTo(ImportSources.Outcome.FAILED);
        assertThat(failed.lastFailure()).isEqualTo("UNREACHABLE");
        assertThat(count("person", name)).isZero();
        assertThat(downloads()).as("nothing half-fetched stays").isEqualTo(before);
    }
}
