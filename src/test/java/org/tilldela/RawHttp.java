package org.tilldela;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP/1.1 over a plain socket, for tests that must control what an HTTP client library would not let
 * them: the Host header, forwarded headers, and the address the request comes from (a second loopback
 * address stands for a proxy). Cookies are kept by hand, the way a browser would, so a test sees every
 * Set-Cookie with its attributes.
 */
public final class RawHttp {

    private final int port;
    private final String from;
    private final Map<String, String> cookies = new LinkedHashMap<>();

    private RawHttp(int port, String from) {
        this.port = port;
        this.from = from;
    }

    /** A client of the server on this port, connecting from the default loopback address. */
    public static RawHttp to(int port) {
        return new RawHttp(port, null);
    }

    /** A client connecting from this local address, e.g. 127.0.0.2 for a second machine on the loopback net. */
    public static RawHttp to(int port, String fromAddress) {
        return new RawHttp(port, fromAddress);
    }

    public record Response(int status, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.getFirst();
        }

        public List<String> all(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        /** The whole Set-Cookie line for this cookie, or null. */
        public String setCookie(String name) {
            return all("set-cookie").stream().filter(c -> c.startsWith(name + "=")).findFirst().orElse(null);
        }
    }

    public Map<String, String> cookies() {
        return cookies;
    }

    public Response get(String path, String... headerLines) {
        return send("GET", path, null, null, headerLines);
    }

    public Response post(String path, String contentType, String body, String... headerLines) {
        return send("POST", path, contentType, body, headerLines);
    }

    public Response postForm(String path, Map<String, String> form, String... headerLines) {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return send("POST", path, "application/x-www-form-urlencoded", body.toString(), headerLines);
    }

    /** Signs in through the login form as a browser does: the page's CSRF token, then the form. Answers the form's response. */
    public Response signIn(String user, String password, String... headerLines) {
        Response page = get("/login", headerLines);
        Matcher token = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page.body());
        if (!token.find()) {
            throw new IllegalStateException("no CSRF token on the login page: " + page.status());
        }
        return postForm("/login", Map.of("username", user, "password", password, "_csrf", token.group(1)), headerLines);
    }

    public static String basic(String user, String password) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public Response send(String method, String path, String contentType, String body, String... headerLines) {
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder request = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        boolean host = false;
        for (String line : headerLines) {
            host |= line.regionMatches(true, 0, "Host:", 0, 5);
            request.append(line).append("\r\n");
        }
        if (!host) {
            request.append("Host: localhost:").append(port).append("\r\n");
        }
        if (!cookies.isEmpty()) {
            request.append("Cookie: ");
            cookies.forEach((k, v) -> request.append(k).append('=').append(v).append("; "));
            request.setLength(request.length() - 2);
            request.append("\r\n");
        }
        if (contentType != null) {
            request.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (body != null) {
            request.append("Content-Length: ").append(content.length).append("\r\n");
        }
        request.append("Connection: close\r\n\r\n");
        try (Socket socket = new Socket()) {
            if (from != null) {
                socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            }
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(content);
            out.flush();
            Response response = parse(socket.getInputStream());
            for (String c : response.all("set-cookie")) {
                String pair = c.split(";", 2)[0];
                int eq = pair.indexOf('=');
                String name = pair.substring(0, eq).strip();
                String value = pair.substring(eq + 1).strip();
                if (value.isEmpty() || c.toLowerCase(Locale.ROOT).contains("max-age=0")) {
                    cookies.remove(name);
                } else {
                    cookies.put(name, value);
                }
            }
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Response parse(InputStream in) throws IOException {
        byte[] all = in.readAllBytes();
        int split = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        String head = new String(all, 0, split, StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.computeIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).strip());
        }
        byte[] rest = java.util.Arrays.copyOfRange(all, split + 4, all.length);
        if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", List.of("")).getFirst())) {
            rest = dechunk(rest);
        }
        return new Response(status, headers, new String(rest, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        while (pos < chunked.length) {
            int eol = indexOf(java.util.Arrays.copyOfRange(chunked, pos, chunked.length), "\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String size = new String(chunked, pos, eol, StandardCharsets.ISO_8859_1).split(";")[0].strip();
            int n = Integer.parseInt(size, 16);
            if (n == 0) {
                break;
            }
            pos += eol + 2;
            out.write(chunked, pos, n);
            pos += n + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
