package org.tilldela.directory.ss12000;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;
import org.tilldela.IntegrationTest;
import org.tilldela.directory.importing.ImportOptions;
import org.tilldela.directory.importing.ImportProgress;
import org.tilldela.directory.importing.ImportRejectedException;
import org.tilldela.directory.importing.ImportRuns;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/**
 * An SS 12000 import fetches only from hosts an operator listed (the tests list 127.0.0.1 on any port,
 * see IntegrationTest), refuses others before connecting, and says the same whatever went wrong on the
 * way: an administrator must not be able to map which ports of a host are open.
 */
class Ss12000HostsTest extends IntegrationTest {

    private static final String PASSWORD = "hosts-test-password-1";

    @Autowired
    Ss12000Readers readers;
    @Autowired
    ImportRuns runs;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    JdbcClient jdbc;
    @LocalServerPort
    int port;

    @Test
    void aHostNotListedIsRefusedWithoutAnyConnection() throws Exception {
        try (Listener listener = new Listener(null)) {
            // localhost is the same machine, but not what the operator listed (127.0.0.1)
            String url = "http://localhost:" + listener.port() + "/ss12000/v2";
            assertThatThrownBy(() -> readers.reader("ss-hosts", url, "t", false))
                    .isInstanceOfSatisfying(HostNotAllowedException.class, e -> {
                        assertThat(e.host()).isEqualTo("localhost:" + listener.port());
                        assertThat(e.getMessage()).contains("tilldela.import.allowed-hosts");
                    });

            // the API says so too, and starts nothing
            String user = "hosts-" + UUID.randomUUID().toString().substring(0, 8);
            accounts.create(user, "Hosts", PASSWORD, java.util.EnumSet.of(AdminRight.DIRECTORY_ADMIN), "test");
            HttpStatusCode status = RestClient.builder().baseUrl("http://localhost:" + port).build().post().uri("/api/v1/imports/ss12000")
                    .headers(h -> h.setBasicAuth(user, PASSWORD)).contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of("baseUrl", url, "source", "ss-hosts-api")).exchange((request, response) -> response.getStatusCode());
            assertThat(status.value()).isEqualTo(400);
            assertThat(jdbc.sql("select count(*) from import_run where requested_by = :u").param("u", user).query(Long.class).single()).isZero();

            Thread.sleep(300); // a connection attempt, had there been one, would have arrived by now
            assertThat(listener.connections()).isZero();
        }
    }

    @Test
    void aClosedPortAndAnOpenPortThatIsNotHttpGiveTheSameReason() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String refused = reasonFor("http://127.0.0.1:" + closed + "/ss12000/v2");
        String notHttp;
        try (Listener ssh = new Listener("SSH-2.0-OpenSSH_9.6\r\n")) {
            notHttp = reasonFor("http://127.0.0.1:" + ssh.port() + "/ss12000/v2");
            assertThat(ssh.connections()).isPositive();
        }
        String serverError;
        try (FakeSs12000Server server = new FakeSs12000Server()) {
            server.fail("/organisations", 503);
            serverError = reasonFor(server.baseUrl());
        }
        assertThat(refused).isEqualTo(notHttp).isEqualTo(serverError)
                .contains("could not be reached or did not answer successfully")
                .doesNotContainIgnoringCase("refused").doesNotContain("SSH").doesNotContain("503").doesNotContain("Exception");
    }

    @Test
    void aRedirectIsNotFollowed() throws Exception {
        try (Listener elsewhere = new Listener(null)) {
            String redirect = "HTTP/1.1 302 Found\r\nLocation: http://localhost:" + elsewhere.port() + "/ss12000/v2/organisations\r\n"
                    + "Content-Length: 0\r\nConnection: close\r\n\r\n";
            try (Listener redirecting = new Listener(redirect)) {
                String reason = reasonFor("http://127.0.0.1:" + redirecting.port() + "/ss12000/v2");
                assertThat(reason).contains("could not be reached or did not answer successfully").doesNotContain("302");
                assertThat(redirecting.connections()).isPositive();
            }
            Thread.sleep(200);
            assertThat(elsewhere.connections()).isZero();
        }
    }

    private String reasonFor(String url) {
        String source = "ss-hosts-" + UUID.randomUUID().toString().substring(0, 8);
        ImportRejectedException e = catchThrowableOfType(ImportRejectedException.class, () -> runs.runNow("SS12000",
                new ImportOptions(source, false, "test"), readers.reader(source, url, "t", false), ImportProgress.NONE, url));
        assertThat(e).as("refused: " + url).isNotNull();
        assertThat(e.problems()).hasSize(1);
        return e.problems().getFirst().reason();
    }

    /** A TCP port on the loopback address that counts connections and answers each with fixed bytes (or nothing), then closes. */
    private static final class Listener implements AutoCloseable {
        private final ServerSocket socket;
        private final AtomicInteger connections = new AtomicInteger();

        Listener(String answer) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        connections.incrementAndGet();
                        if (answer != null) {
                            s.setSoTimeout(2000);
                            InputStream in = s.getInputStream();
                            byte[] buffer = new byte[8192];
                            in.read(buffer); // the request (or its start)
                            OutputStream out = s.getOutputStream();
                            out.write(answer.getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                        }
                    } catch (IOException e) {
                        // closed, or the client went away
                    }
                }
            }, "test-listener");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
