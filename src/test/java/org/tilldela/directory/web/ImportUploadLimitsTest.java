package org.tilldela.directory.web;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.ServletContext;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.CookieManager;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.tilldela.IntegrationTest;
import org.tilldela.directory.generator.MunicipalityGenerator;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminRight;

/**
 * Upload bodies over real HTTP (Tomcat is what spools multipart bodies, so no mock will do): a body is not
 * read for someone not signed in, nor beyond its limit for someone signed in, while a normal upload through
 * the web form still works. Each big body is declared in Content-Length but only its first kilobytes are
 * sent: an answer that arrives at all proves that the server did not wait to read the rest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImportUploadLimitsTest extends IntegrationTest {

    private static final String PASSWORD = "upload-test-password-1";
    private static final String BOUNDARY = "tilldelaTestBoundary";
    private static final long MB = 1L << 20;

    @LocalServerPort
    int port;
    @Autowired
    AdminAccounts accounts;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    ServletContext servletContext;

    private String importer;
    private String cataloguer;

    @BeforeAll
    void accounts() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        importer = "importer-" + suffix;
        cataloguer = "cataloguer-" + suffix;
        accounts.create(importer, "Importer", PASSWORD, EnumSet.of(AdminRight.DIRECTORY_ADMIN), "test");
        accounts.create(cataloguer, "Cataloguer", PASSWORD, EnumSet.of(AdminRight.CATALOG_ADMIN), "test");
    }

    @Test
    void anUnauthenticatedUploadToTheWebFormIsRefusedUnreadAndNothingIsSpooled() throws Exception {
        // 100 MB: under the import limit, so only the missing sign-in can refuse it
        Answer answer = post("/imports/oneroster", Map.of(), 100 * MB);

        assertThat(answer.status()).as("answered before the body was sent").isEqualTo(401);
        assertThat(answer.spooled()).isEmpty();
        assertThat(answer.millis()).isLessThan(5000);
    }

    @Test
    void anUnauthenticatedUploadToTheApiIsRefusedUnread() throws Exception {
        Answer answer = post("/api/v1/imports/oneroster", Map.of(), 100 * MB);

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.spooled()).isEmpty();
    }

    @Test
    void anUploadToTheImportWithoutTheRightToImportIsRefusedUnread() throws Exception {
        Answer answer = post("/api/v1/imports/oneroster", Map.of("Authorization", basic(cataloguer)), 100 * MB);

        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.spooled()).isEmpty();
    }

    @Test
    void aSignedInApiUploadOverTheLimitGets413AndNothingIsImported() throws Exception {
        long runsBefore = runsBy(importer);

        Answer answer = post("/api/v1/imports/oneroster", Map.of("Authorization", basic(importer), "Accept", "application/json"), 600 * MB);

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.spooled()).isEmpty();
        assertThat(runsBy(importer)).isEqualTo(runsBefore);
    }

    @Test
    void anUploadElsewhereOverTheSmallerLimitGets413() throws Exception {
        // a supplier feed may be 20 MB, not the 512 MB of an import
        Answer answer = post("/api/v1/catalog/feeds", Map.of("Authorization", basic(cataloguer)), 30 * MB);

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.spooled()).isEmpty();
    }

    @Test
    void aChunkedUploadElsewhereOverTheSmallerLimitGets413Too() throws Exception {
        // no Content-Length to judge by: bounded while parsed, then judged by what was sent
        byte[] head = ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"feed.csv\"\r\n"
                + "Content-Type: text/csv\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/catalog/feeds"))
                .header("Authorization", basic(cataloguer)).header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.SequenceInputStream(java.util.Collections.enumeration(List.of(
                        new java.io.ByteArrayInputStream(head), new java.io.ByteArrayInputStream(new byte[(int) (30 * MB)]),
                        new java.io.ByteArrayInputStream(tail)))))).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(413);
    }

    @Test
    void aBodyThatIsNotMultipartIsBoundedToo() throws Exception {
        Answer answer = send("POST", "/api/v1/imports/ss12000", Map.of("Authorization", basic(importer)), "application/json", 30 * MB,
                "{\"baseUrl\": \"".getBytes(StandardCharsets.US_ASCII));

        assertThat(answer.status()).isEqualTo(413);
    }

    @Test
    void aSignedInWebUploadOverTheLimitGetsAPageInTheUsersLanguage() throws Exception {
        Browser browser = signIn(importer);
        long runsBefore = runsBy(importer);

        Answer answer = post("/imports/oneroster", Map.of("Cookie", browser.cookies(), "Accept-Language", "sv-SE,sv;q=0.9",
                "Accept", "text/html"), 600 * MB);

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.body()).contains("Filen är för stor").contains("högst 512 MB");
        assertThat(answer.spooled()).isEmpty();
        assertThat(runsBy(importer)).isEqualTo(runsBefore);
    }

    @Test
    void aNormalUploadThroughTheWebFormStillWorks(@TempDir Path dir) throws Exception {
        Path zip = dir.resolve("normal.zip");
        new MunicipalityGenerator(new MunicipalityGenerator.Settings(60, 5, "sv", 0, 0)).writeTo(zip);
        String source = "upload-ok-" + UUID.randomUUID().toString().substring(0, 8);
        Browser browser = signIn(importer);
        String page = browser.get("/imports").body();
        assertThat(page).contains("512 MB");
        String csrf = hiddenCsrf(page);

        // as a browser sends the form: the CSRF token a field of the multipart body
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        field(body, "_csrf", csrf);
        field(body, "source", source);
        body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"normal.zip\"\r\n"
                + "Content-Type: application/zip\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(Files.readAllBytes(zip));
        body.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = browser.http.send(HttpRequest.newBuilder(URI.create(base() + "/imports/oneroster"))
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location").orElseThrow()).matches(".*/imports/[0-9a-f-]{36}$");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String status = "";
        while (System.nanoTime() < deadline && !status.equals("SUCCEEDED") && !status.equals("FAILED")) {
            Thread.sleep(200);
            status = jdbc.sql("select status from import_run where source = :s").param("s", source).query(String.class).optional().orElse("");
        }
        assertThat(status).isEqualTo("SUCCEEDED");
        assertThat(jdbc.sql("select count(*) from person where source = :s").param("s", source).query(Long.class).single()).isEqualTo(60);
    }

    // ---- helpers

    private record Answer(int status, String body, List<String> spooled, long millis) {
    }

    /** A multipart upload declaring {@code declared} bytes, of which only the first few kilobytes are sent. */
    private Answer post(String path, Map<String, String> headers, long declared) throws IOException {
        byte[] start = ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.zip\"\r\n"
                + "Content-Type: application/zip\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] first = new byte[start.length + 4096];
        System.arraycopy(start, 0, first, 0, start.length);
        return send("POST", path, headers, "multipart/form-data; boundary=" + BOUNDARY, declared, first);
    }

    private Answer send(String method, String path, Map<String, String> headers, String contentType, long declared, byte[] first)
            throws IOException {
        List<String> spooledBefore = spoolFiles();
        long start = System.nanoTime();
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(8000);
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: localhost:" + port + "\r\n"
                    + "Content-Type: " + contentType + "\r\nContent-Length: " + declared + "\r\n");
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            OutputStream out = socket.getOutputStream();
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
            out.write(first);
            out.flush();
            byte[] response = readResponse(socket.getInputStream());
            long millis = (System.nanoTime() - start) / 1_000_000;
            // looked at while the connection is still open: Tomcat removes what it spooled when the request ends
            List<String> spooled = new ArrayList<>(spoolFiles());
            spooled.removeAll(spooledBefore);
            if (response.length == 0) {
                return new Answer(-1, "", spooled, millis);
            }
            String text = new String(response, StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            return new Answer(status, text, spooled, millis);
        }
    }

    /** Reads one response: to its end (Content-Length, chunked, or the connection closing); empty when none came in time. */
    private static byte[] readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            while (true) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                got.write(buffer, 0, n);
                String text = got.toString(StandardCharsets.ISO_8859_1);
                int end = text.indexOf("\r\n\r\n");
                if (end >= 0) {
                    String headers = text.substring(0, end).toLowerCase();
                    Matcher length = Pattern.compile("content-length: *(\\d+)").matcher(headers);
                    if (length.find() && got.size() >= end + 4 + Integer.parseInt(length.group(1))) {
                        break;
                    }
                    if (headers.contains("transfer-encoding: chunked") && text.endsWith("\r\n0\r\n\r\n")) {
                        break;
                    }
                }
            }
        } catch (SocketTimeoutException e) {
            // whatever came, if anything
        } catch (IOException e) {
            // reset after the answer: what was read is the answer
        }
        return got.toByteArray();
    }

    /** Files Tomcat spools multipart parts to (the context's temporary directory; no other location is configured). */
    private List<String> spoolFiles() throws IOException {
        File dir = (File) servletContext.getAttribute(ServletContext.TEMPDIR);
        try (Stream<Path> files = Files.walk(dir.toPath())) {
            return files.filter(Files::isRegularFile).map(Path::toString).filter(p -> p.contains("upload_")).collect(Collectors.toList());
        }
    }

    private long runsBy(String user) {
        return jdbc.sql("select count(*) from import_run where requested_by = :u").param("u", user).query(Long.class).single();
    }

    private static String basic(String user) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    private String base() {
        return "http://localhost:" + port;
    }

    private static String hiddenCsrf(String html) {
        Matcher m = Pattern.compile("name=\"_csrf\"\\s+value=\"([^\"]+)\"").matcher(html);
        if (!m.find()) {
            m = Pattern.compile("value=\"([^\"]+)\"\\s+name=\"_csrf\"").matcher(html);
            assertThat(m.find()).as("a CSRF field in the page").isTrue();
        }
        return m.group(1);
    }

    private static void field(ByteArrayOutputStream body, String name, String value) {
        body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n")
                .getBytes(StandardCharsets.UTF_8));
    }

    /** A signed-in browser session: its cookies, kept by the client. */
    private final class Browser {
        final CookieManager cookies = new CookieManager();
        final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NEVER).build();

        HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return http.send(HttpRequest.newBuilder(URI.create(base() + path)).build(), HttpResponse.BodyHandlers.ofString());
        }

        String cookies() {
            return cookies.getCookieStore().getCookies().stream().map(c -> c.getName() + "=" + c.getValue()).collect(Collectors.joining("; "));
        }
    }

    private Browser signIn(String user) throws IOException, InterruptedException {
        Browser browser = new Browser();
        String csrf = hiddenCsrf(browser.get("/login").body());
        Map<String, String> form = new LinkedHashMap<>();
        form.put("username", user);
        form.put("password", PASSWORD);
        form.put("_csrf", csrf);
        String encoded = form.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<String> login = browser.http.send(HttpRequest.newBuilder(URI.create(base() + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(encoded)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.headers().firstValue("Location").orElse("")).doesNotContain("error");
        return browser;
    }
}
