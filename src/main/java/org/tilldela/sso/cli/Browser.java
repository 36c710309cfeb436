package org.tilldela.sso.cli;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A benchmark's browser: follows no redirect by itself and keeps every cookie it is given for the one host it
 * talks to. Its own cookie jar, because the JDK's never sends a cookie marked Secure over plain http, and
 * Keycloak marks its session cookies Secure even on a loopback http port.
 */
final class Browser {

    private final HttpClient http;
    private final Map<String, String> cookies = new LinkedHashMap<>();

    Browser(HttpClient http) {
        this.http = http;
    }

    HttpResponse<String> get(URI uri) throws Exception {
        return send(HttpRequest.newBuilder(uri).header("Accept", "text/html").GET());
    }

    HttpResponse<String> post(URI uri, Map<String, String> form) throws Exception {
        return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "text/html")
                .POST(HttpRequest.BodyPublishers.ofString(form(form))));
    }

    static String form(Map<String, String> form) {
        return form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private synchronized String cookieHeader() {
        return cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("; "));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        String cookie = cookieHeader();
        if (!cookie.isEmpty()) {
            request.header("Cookie", cookie);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        synchronized (this) {
            for (String set : response.headers().allValues("Set-Cookie")) {
                String pair = set.split(";", 2)[0];
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String name = pair.substring(0, eq).strip();
                String value = pair.substring(eq + 1).strip();
                if (value.isEmpty() || set.toLowerCase(java.util.Locale.ROOT).contains("max-age=0")) {
                    cookies.remove(name);
                } else {
                    cookies.put(name, value);
                }
            }
        }
        return response;
    }

    static URI location(HttpResponse<?> response) {
        String location = response.headers().firstValue("Location")
                .orElseThrow(() -> new IllegalStateException("expected a redirect, got " + response.statusCode() + " from " + response.uri()));
        return response.uri().resolve(location);
    }
}
