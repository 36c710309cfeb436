package org.tilldela;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A signed-in browser without the browser: a cookie jar and plain HTTP against the running server, so a
 * request passes every filter a real one does (Spring Session's JDBC store included). Forms are sent as a
 * browser sends them: with the hidden fields (CSRF token, one-time form token) of the form on the page.
 */
public final class WebSession {

    /** One answer: the status, where a redirect pointed, and the body. */
    public record Answer(int status, String location, String body) {
    }

    private static final Pattern FORM = Pattern.compile("<form\\b([^>]*)>(.*?)</form>", Pattern.DOTALL);
    private static final Pattern ACTION = Pattern.compile("action=\"([^\"]*)\"");
    private static final Pattern HIDDEN = Pattern.compile("<input\\b[^>]*type=\"hidden\"[^>]*>");
    private static final Pattern NAME = Pattern.compile("name=\"([^\"]*)\"");
    private static final Pattern VALUE = Pattern.compile("value=\"([^\"]*)\"");

    private final String base;
    private final HttpClient http;

    public WebSession(int port) {
        this.base = "http://localhost:" + port;
        this.http = HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    public WebSession signIn(String username, String password) {
        Answer login = get("/login");
        Map<String, String> fields = hiddenFields(login.body(), "/login");
        fields.put("username", username);
        fields.put("password", password);
        Answer answer = post("/login", fields);
        if (answer.status() != 302 || answer.location() == null || answer.location().contains("error")) {
            throw new AssertionError("could not sign in as " + username + ": " + answer.status() + " " + answer.location());
        }
        return this;
    }

    public Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** A GET as a browser navigates: asking for HTML (which is what decides between an error page and an error in JSON). */
    public Answer page(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8").GET());
    }

    /** Follows redirects (GET) from an answer until a page: what the browser shows next. */
    public Answer follow(Answer answer) {
        Answer a = answer;
        for (int i = 0; i < 5 && a.status() / 100 == 3; i++) {
            String location = a.location().startsWith("http") ? URI.create(a.location()).getRawPath()
                    + (URI.create(a.location()).getRawQuery() == null ? "" : "?" + URI.create(a.location()).getRawQuery()) : a.location();
            a = get(location);
        }
        return a;
    }

    public Answer post(String path, Map<String, String> fields) {
        return post(path, toList(fields));
    }

    /** A form post with repeated fields allowed (checkboxes). */
    public Answer post(String path, List<Map.Entry<String, String>> fields) {
        StringBuilder body = new StringBuilder();
        for (Map.Entry<String, String> f : fields) {
            if (!body.isEmpty()) {
                body.append('&');
            }
            body.append(URLEncoder.encode(f.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(f.getValue() == null ? "" : f.getValue(), StandardCharsets.UTF_8));
        }
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    /** A multipart form post (a file upload form), each value a text part. */
    public Answer postMultipart(String path, Map<String, String> fields, String fileField, String fileName, byte[] file) {
        String boundary = "----tilldela" + System.nanoTime();
        List<byte[]> parts = new ArrayList<>();
        for (Map.Entry<String, String> f : fields.entrySet()) {
            parts.add(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n\r\n" + f.getValue() + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        if (fileField != null) {
            parts.add(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + fileField + "\"; filename=\"" + fileName
                    + "\"\r\nContent-Type: application/pdf\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            parts.add(file);
            parts.add("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        parts.add(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArrays(parts)));
    }

    /**
     * The hidden fields of the form on the page that posts to {@code action} (the first such form):
     * what a browser would send along with what the user fills in.
     */
    public static Map<String, String> hiddenFields(String page, String action) {
        Matcher forms = FORM.matcher(page);
        while (forms.find()) {
            Matcher a = ACTION.matcher(forms.group(1));
            if (a.find() && a.group(1).replace("&amp;", "&").equals(action) && forms.group(1).contains("method=\"post\"")) {
                Map<String, String> fields = new LinkedHashMap<>();
                Matcher hidden = HIDDEN.matcher(forms.group(2));
                while (hidden.find()) {
                    Matcher n = NAME.matcher(hidden.group());
                    Matcher v = VALUE.matcher(hidden.group());
                    if (n.find()) {
                        fields.put(n.group(1), v.find() ? v.group(1).replace("&amp;", "&") : "");
                    }
                }
                return fields;
            }
        }
        throw new AssertionError("no form posting to " + action + " on the page");
    }

    public static List<Map.Entry<String, String>> toList(Map<String, String> fields) {
        List<Map.Entry<String, String>> list = new ArrayList<>();
        fields.forEach((k, v) -> list.add(Map.entry(k, v == null ? "" : v)));
        return list;
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.header("Accept-Language", "en").timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers().firstValue("Location").orElse(null), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
