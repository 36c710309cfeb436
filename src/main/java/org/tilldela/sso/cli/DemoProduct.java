package org.tilldela.sso.cli;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.util.URLUtils;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.AuthenticationResponse;
import com.nimbusds.openid.connect.sdk.AuthenticationResponseParser;
import com.nimbusds.openid.connect.sdk.LogoutRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.UserInfo;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.web.util.HtmlUtils;
import org.tilldela.platform.LeastRecentlyUsed;

/**
 * A stand-in for a supplier's product, so the demo ends somewhere: a small web server that signs people in
 * at Tilldela as an OpenID Connect relying party and shows what it received. Every protocol step is
 * Nimbus's (an independent implementation, not Tilldela's own code): a public client with PKCE S256, state
 * and nonce checked, the ID token validated against the provider's JWKS, userinfo fetched (its {@code sub}
 * must be the ID token's), third-party-initiated login with {@code iss} checked (OpenID Connect Core §4),
 * and RP-initiated logout. It listens on 127.0.0.1 only — another host than Tilldela's {@code localhost},
 * so neither sees the other's cookies — and keeps its sessions in memory.
 */
public final class DemoProduct implements AutoCloseable {

    static final String COOKIE = "demo_product_session";

    /** Claims about the token itself rather than about the person. */
    private static final Set<String> PROTOCOL_CLAIMS = Set.of("iss", "aud", "azp", "exp", "iat", "nbf", "auth_time", "nonce", "sid", "jti",
            "at_hash", "c_hash", "acr", "amr");
    private static final Map<String, String> MEANINGS = Map.ofEntries(
            Map.entry("sub", "you, under a pseudonym of this supplier's own"), Map.entry("given_name", "given name"),
            Map.entry("family_name", "family name"), Map.entry("email", "e-mail"), Map.entry("organisation", "organiser"),
            Map.entry("school_unit", "school unit"), Map.entry("groups", "classes and groups"), Map.entry("roles", "roles"),
            Map.entry("grade", "grade"), Map.entry("guardians", "guardians (this supplier's pseudonyms)"), Map.entry("phone_number", "phone"),
            Map.entry("civic_number", "civic number"), Map.entry("protected_identity", "protected identity"),
            Map.entry("iss", "who signed you in"), Map.entry("aud", "for whom (this product's client id)"), Map.entry("azp", "requested by"),
            Map.entry("exp", "expires"), Map.entry("iat", "issued"), Map.entry("auth_time", "you signed in"),
            Map.entry("nonce", "ties the token to this sign-in"), Map.entry("sid", "your session at the provider"),
            Map.entry("jti", "the token's own id"));

    private final HttpServer server;
    private final ExecutorService threads;
    private final Issuer issuer;
    private final ClientID clientId;
    private final String name;
    private final URI address;
    private final OIDCProviderMetadata provider;
    private final IDTokenValidator idTokens;
    /** Browser sessions, the least recently used dropped beyond {@link #MAX_SESSIONS}: a stream of /login requests cannot exhaust memory. */
    private final Map<String, Session> sessions = java.util.Collections.synchronizedMap(LeastRecentlyUsed.map(MAX_SESSIONS));
    public static final int MAX_SESSIONS = 10_000;
    private final SecureRandom random = new SecureRandom();

    /** A sign-in this browser started and has not finished: what the answer must match. */
    private record Pending(State state, Nonce nonce, CodeVerifier verifier) {
    }

    /** What the product received: the ID token (kept as the logout hint), its claims, and the userinfo answer. */
    private record SignedIn(JWT idToken, Map<String, Object> idTokenClaims, Map<String, Object> userInfo) {
    }

    /** One browser's session here (in memory: it is a demo). */
    private static final class Session {
        final String csrf;
        volatile Pending pending;
        volatile SignedIn signedIn;
        volatile State logout;

        Session(String csrf) {
            this.csrf = csrf;
        }
    }

    private DemoProduct(HttpServer server, Issuer issuer, ClientID clientId, String name, OIDCProviderMetadata provider) throws IOException {
        this.server = server;
        this.issuer = issuer;
        this.clientId = clientId;
        this.name = name;
        this.provider = provider;
        this.address = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        this.idTokens = new IDTokenValidator(issuer, clientId, JWSAlgorithm.RS256, provider.getJWKSetURI().toURL());
        this.threads = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(threads);
        server.createContext("/", this::handle);
    }

    /**
     * Reads the provider's discovery document and starts serving on 127.0.0.1.
     *
     * @param port 0 for any free port
     */
    public static DemoProduct start(URI issuer, String clientId, String name, int port) throws IOException {
        OIDCProviderMetadata provider;
        try {
            // Nimbus checks that the document names this very issuer
            provider = OIDCProviderMetadata.resolve(new Issuer(issuer));
        } catch (com.nimbusds.oauth2.sdk.GeneralException | IOException e) {
            throw new IOException("Cannot read the provider's configuration at " + issuer + "/.well-known/openid-configuration: " + e.getMessage(), e);
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        DemoProduct product = new DemoProduct(server, new Issuer(issuer), new ClientID(clientId), name, provider);
        server.start();
        return product;
    }

    /** Where the product answers, e.g. http://127.0.0.1:8081. */
    public URI address() {
        return address;
    }

    public URI redirectUri() {
        return address.resolve("/callback");
    }

    public URI initiateLoginUri() {
        return address.resolve("/login");
    }

    public URI postLogoutRedirectUri() {
        return address.resolve("/");
    }

    @Override
    public void close() {
        server.stop(0);
        threads.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/login") && method.equals("GET")) {
                login(exchange);
            } else if (path.equals("/callback") && method.equals("GET")) {
                callback(exchange);
            } else if (path.equals("/sign-out") && method.equals("POST")) {
                signOut(exchange);
            } else if (path.equals("/") && method.equals("GET")) {
                home(exchange);
            } else {
                page(exchange, 404, "Not found", "<h1>Not found</h1><p><a href=\"/\">" + esc(name) + "</a></p>");
            }
        } catch (RuntimeException | com.nimbusds.oauth2.sdk.ParseException | com.nimbusds.jose.JOSEException | com.nimbusds.jose.proc.BadJOSEException e) {
            // the reason goes to the console (no personal data: protocol errors only), the browser gets a plain page
            System.err.println("demo product: " + e);
            page(exchange, 500, "Sign-in failed", "<h1>Sign-in failed</h1><p>" + esc(e.getMessage() == null ? e.toString() : e.getMessage())
                    + "</p><p><a href=\"/\">" + esc(name) + "</a></p>");
        }
    }

    /**
     * The initiate-login URI (OpenID Connect Core §4): Tilldela's start page links here with {@code iss}; the
     * product starts a sign-in only at the provider it knows, never at whatever {@code iss} says.
     */
    private void login(HttpExchange exchange) throws IOException {
        Map<String, List<String>> query = URLUtils.parseParameters(exchange.getRequestURI().getRawQuery());
        String iss = first(query, "iss");
        if (iss == null || !iss.equals(issuer.getValue())) {
            page(exchange, 400, "Unknown provider", "<h1>Unknown provider</h1><p>" + esc(name) + " signs in only at " + esc(issuer.getValue())
                    + (iss == null ? ", and this request names none." : ", not at " + esc(iss) + ".") + "</p>");
            return;
        }
        Pending pending = new Pending(new State(), new Nonce(), new CodeVerifier());
        AuthenticationRequest.Builder request = new AuthenticationRequest.Builder(ResponseType.CODE, new Scope("openid"), clientId, redirectUri())
                .endpointURI(provider.getAuthorizationEndpointURI()).state(pending.state()).nonce(pending.nonce())
                .codeChallenge(pending.verifier(), CodeChallengeMethod.S256);
        String hint = first(query, "login_hint");
        if (hint != null) {
            request.loginHint(hint);
        }
        Session session = session(exchange, true);
        session.pending = pending;
        redirect(exchange, request.build().toURI());
    }

    /** The redirect URI: the provider's answer, checked against the sign-in this browser started, then redeemed. */
    private void callback(HttpExchange exchange) throws IOException, com.nimbusds.oauth2.sdk.ParseException, com.nimbusds.jose.JOSEException,
            com.nimbusds.jose.proc.BadJOSEException {
        Session session = session(exchange, false);
        Pending pending = session == null ? null : session.pending;
        if (pending == null) {
            page(exchange, 400, "No sign-in started", "<h1>No sign-in started</h1><p>This browser started no sign-in here. <a href=\"/\">Start again</a>.</p>");
            return;
        }
        AuthenticationResponse response = AuthenticationResponseParser.parse(address.resolve(exchange.getRequestURI()));
        if (!pending.state().equals(response.getState())) {
            page(exchange, 400, "Wrong state", "<h1>This answer is not for this sign-in</h1><p>Its state does not match. <a href=\"/\">Start again</a>.</p>");
            return;
        }
        session.pending = null; // one answer per sign-in
        if (response.getIssuer() != null && !issuer.equals(response.getIssuer())) {
            page(exchange, 400, "Wrong provider", "<h1>The answer came from another provider</h1>");
            return;
        }
        if (!response.indicatesSuccess()) {
            ErrorObject error = response.toErrorResponse().getErrorObject();
            page(exchange, 403, "Not signed in", "<h1>Not signed in to " + esc(name) + "</h1><p>Tilldela answered <code>" + esc(error.getCode())
                    + "</code>" + (error.getDescription() == null ? "" : ": " + esc(error.getDescription())) + "</p><p><a href=\"/\">Back</a></p>");
            return;
        }
        TokenRequest tokenRequest = new TokenRequest(provider.getTokenEndpointURI(), clientId,
                new AuthorizationCodeGrant(response.toSuccessResponse().getAuthorizationCode(), redirectUri(), pending.verifier()));
        TokenResponse tokens = OIDCTokenResponseParser.parse(tokenRequest.toHTTPRequest().send());
        if (!tokens.indicatesSuccess()) {
            ErrorObject error = tokens.toErrorResponse().getErrorObject();
            page(exchange, 403, "Not signed in", "<h1>Not signed in to " + esc(name) + "</h1><p>The token request was refused: <code>"
                    + esc(error.getCode()) + "</code></p><p><a href=\"/\">Back</a></p>");
            return;
        }
        OIDCTokens oidc = ((OIDCTokenResponse) tokens.toSuccessResponse()).getOIDCTokens();
        IDTokenClaimsSet claims = idTokens.validate(oidc.getIDToken(), pending.nonce());
        UserInfoResponse userInfoResponse = UserInfoResponse.parse(new UserInfoRequest(provider.getUserInfoEndpointURI(), oidc.getBearerAccessToken())
                .toHTTPRequest().send());
        if (!userInfoResponse.indicatesSuccess()) {
            page(exchange, 502, "Userinfo refused", "<h1>Userinfo refused</h1><p><code>"
                    + esc(userInfoResponse.toErrorResponse().getErrorObject().getCode()) + "</code></p>");
            return;
        }
        UserInfo userInfo = userInfoResponse.toSuccessResponse().getUserInfo();
        if (!claims.getSubject().equals(userInfo.getSubject())) { // OpenID Connect Core §5.3.4
            page(exchange, 502, "Userinfo for someone else", "<h1>The userinfo answer is about someone else</h1>");
            return;
        }
        // a new session id once signed in, so one planted before the sign-in is worth nothing
        sessions.remove(sessionId(exchange));
        Session signedIn = session(exchange, true, true);
        signedIn.signedIn = new SignedIn(oidc.getIDToken(), claims.toJSONObject(), userInfo.toJSONObject());
        redirect(exchange, address.resolve("/"));
    }

    /** RP-initiated logout: forget the person here, then let the provider end its session and send them back. */
    private void signOut(HttpExchange exchange) throws IOException {
        Session session = session(exchange, false);
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(4096);
        }
        Map<String, List<String>> form = URLUtils.parseParameters(new String(body, StandardCharsets.UTF_8));
        if (session == null || session.signedIn == null || !session.csrf.equals(first(form, "csrf"))) {
            redirect(exchange, address.resolve("/"));
            return;
        }
        SignedIn was = session.signedIn;
        session.signedIn = null;
        session.logout = new State();
        if (provider.getEndSessionEndpointURI() == null) {
            redirect(exchange, address.resolve("/"));
            return;
        }
        redirect(exchange, new LogoutRequest(provider.getEndSessionEndpointURI(), was.idToken(), null, clientId, postLogoutRedirectUri(),
                session.logout, null).toURI());
    }

    private void home(HttpExchange exchange) throws IOException {
        Session session = session(exchange, false);
        SignedIn signedIn = session == null ? null : session.signedIn;
        if (signedIn == null) {
            String state = first(URLUtils.parseParameters(exchange.getRequestURI().getRawQuery()), "state");
            boolean signedOut = state != null && session != null && session.logout != null && session.logout.getValue().equals(state);
            URI signIn = URI.create(initiateLoginUri() + "?" + URLUtils.serializeParameters(Map.of("iss", List.of(issuer.getValue()))));
            page(exchange, 200, name, "<h1>" + esc(name) + "</h1>"
                    + (signedOut ? "<p class=\"note\" role=\"status\">You are signed out of " + esc(name) + " and of Tilldela.</p>" : "")
                    + "<p>A demo product: it signs you in through Tilldela and shows what it received about you.</p>"
                    + "<p><a class=\"button\" href=\"" + esc(signIn.toString()) + "\">Sign in through Tilldela</a></p>");
            return;
        }
        Map<String, Object> about = new LinkedHashMap<>();
        Map<String, Object> protocol = new LinkedHashMap<>();
        signedIn.idTokenClaims().forEach((claim, value) -> (PROTOCOL_CLAIMS.contains(claim) ? protocol : about).put(claim, value));
        page(exchange, 200, "Signed in to " + name, "<h1>Signed in to " + esc(name) + "</h1>"
                + "<form method=\"post\" action=\"/sign-out\"><input type=\"hidden\" name=\"csrf\" value=\"" + esc(session.csrf)
                + "\"><button type=\"submit\">Sign out</button></form>"
                + "<h2 id=\"about\">What " + esc(name) + " received about you</h2>"
                + "<p>From the ID token, validated against Tilldela's published keys. Nothing else reached " + esc(name) + ".</p>"
                + table("id-token-claims", "about", about)
                + "<h2 id=\"userinfo\">The userinfo answer</h2>"
                + table("userinfo-claims", "userinfo", signedIn.userInfo())
                + "<h2 id=\"protocol\">About the ID token itself</h2>"
                + table("id-token-protocol", "protocol", protocol));
    }

    private static String table(String id, String labelledBy, Map<String, Object> claims) {
        StringBuilder html = new StringBuilder("<table id=\"" + id + "\" aria-labelledby=\"" + labelledBy + "\"><thead><tr>"
                + "<th scope=\"col\">Claim</th><th scope=\"col\">What it is</th><th scope=\"col\">Value</th></tr></thead><tbody>");
        claims.forEach((claim, value) -> html.append("<tr><th scope=\"row\"><code>").append(esc(claim)).append("</code></th><td>")
                .append(esc(MEANINGS.getOrDefault(claim, ""))).append("</td><td>").append(value(claim, value)).append("</td></tr>"));
        return html.append("</tbody></table>").toString();
    }

    /** A claim's value as readable HTML: times as times, lists as lists, objects as their fields. */
    private static String value(String claim, Object value) {
        if (value instanceof Number seconds && Set.of("exp", "iat", "nbf", "auth_time").contains(claim)) {
            return esc(Instant.ofEpochSecond(seconds.longValue()).toString());
        }
        if (value instanceof Collection<?> list) {
            if (list.stream().allMatch(v -> !(v instanceof Map<?, ?>) && !(v instanceof Collection<?>))) {
                return esc(String.join(", ", list.stream().map(String::valueOf).toList()));
            }
            StringBuilder html = new StringBuilder("<ul>");
            list.forEach(v -> html.append("<li>").append(value("", v)).append("</li>"));
            return html.append("</ul>").toString();
        }
        if (value instanceof Map<?, ?> map) {
            // an organisation, school unit or group: its name first, the rest after it
            String rest = String.join(", ", map.entrySet().stream().filter(e -> !"name".equals(e.getKey()))
                    .map(e -> esc(String.valueOf(e.getKey())) + ": " + value("", e.getValue())).toList());
            return map.containsKey("name") ? "<strong>" + value("", map.get("name")) + "</strong>" + (rest.isEmpty() ? "" : " <small>(" + rest + ")</small>")
                    : rest;
        }
        return esc(String.valueOf(value));
    }

    private Session session(HttpExchange exchange, boolean create) {
        return session(exchange, create, false);
    }

    private Session session(HttpExchange exchange, boolean create, boolean fresh) {
        String id = fresh ? null : sessionId(exchange);
        Session session = id == null ? null : sessions.get(id);
        if (session == null && create) {
            id = randomValue();
            session = new Session(randomValue());
            sessions.put(id, session);
            exchange.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + id + "; Path=/; HttpOnly; SameSite=Lax");
        }
        return session;
    }

    private static String sessionId(HttpExchange exchange) {
        for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", List.of())) {
            for (String cookie : header.split(";")) {
                String[] pair = cookie.strip().split("=", 2);
                if (pair.length == 2 && pair[0].equals(COOKIE)) {
                    return pair[1];
                }
            }
        }
        return null;
    }

    private String randomValue() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String first(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() || values.getFirst().isBlank() ? null : values.getFirst();
    }

    private static String esc(String text) {
        return HtmlUtils.htmlEscape(text, "UTF-8");
    }

    private static void redirect(HttpExchange exchange, URI to) throws IOException {
        exchange.getResponseHeaders().add("Location", to.toString());
        exchange.getResponseHeaders().add("Cache-Control", "no-store");
        exchange.getResponseHeaders().add("Referrer-Policy", "no-referrer");
        exchange.sendResponseHeaders(303, -1);
    }

    private void page(HttpExchange exchange, int status, String title, String main) throws IOException {
        byte[] html = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" + esc(title) + "</title><style>"
                + "body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b;background:#f6f7f9}"
                + "header{background:#24356b;color:#fff;padding:.75rem 1.5rem;font-weight:600}"
                + "main{max-width:60rem;margin:0 auto;padding:1rem 1.5rem 3rem}"
                + "table{border-collapse:collapse;width:100%;background:#fff;margin-bottom:1.5rem}"
                + "th,td{text-align:left;vertical-align:top;padding:.4rem .6rem;border-bottom:1px solid #d5d8de}"
                + "thead th{background:#e8ebf2}td ul{margin:0;padding-left:1.1rem}code{font-size:.95em}th code{white-space:nowrap}td{overflow-wrap:anywhere}"
                + "a.button,button{display:inline-block;background:#24356b;color:#fff;border:0;border-radius:4px;padding:.55rem 1rem;"
                + "font-size:1rem;text-decoration:none;cursor:pointer}"
                + "a.button:focus,button:focus{outline:3px solid #f0b400;outline-offset:2px}"
                + ".note{background:#e6f4ea;border-left:4px solid #1e7b34;padding:.5rem .75rem}"
                + "</style></head><body><header>" + esc(name) + " <span>· demo product</span></header><main>" + main
                + "</main></body></html>").getBytes(StandardCharsets.UTF_8);
        var headers = exchange.getResponseHeaders();
        headers.add("Content-Type", "text/html; charset=utf-8");
        headers.add("Cache-Control", "no-store");
        headers.add("Referrer-Policy", "no-referrer");
        headers.add("X-Content-Type-Options", "nosniff");
        // the sign-out form's answer redirects to the provider, which form-action must allow
        headers.add("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' " + originOf(issuer.getValue())
                + "; frame-ancestors 'none'; base-uri 'none'");
        exchange.sendResponseHeaders(status, html.length);
        exchange.getResponseBody().write(html);
    }

    private static String originOf(String uri) {
        URI u = URI.create(uri);
        return u.getScheme() + "://" + u.getRawAuthority();
    }
}
