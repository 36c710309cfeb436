package org.tilldela.sso;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.web.header.HeaderWriter;
import org.springframework.security.web.savedrequest.CookieRequestCache;
import org.springframework.security.web.savedrequest.SavedRequest;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

/**
 * The Content-Security-Policy of the pupils' and staff's pages. Browsers apply {@code form-action} to every
 * redirect that follows a sent form, and two forms here end in a redirect to a product: the sign-in form
 * that continues an authorization request, and the first-sign-in notice's "Continue". So while such a
 * request is under way, {@code form-action} also allows the origins of that one client's registered
 * redirect URIs — never an address taken from the request itself.
 */
final class SignInFormTargets implements HeaderWriter {

    private static final String HEADER = "Content-Security-Policy";
    private static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
            + "form-action 'self'";

    private final RegisteredClientRepository clients;
    private final CookieRequestCache pending = new CookieRequestCache();

    SignInFormTargets(RegisteredClientRepository clients) {
        this.clients = clients;
    }

    @Override
    public void writeHeaders(HttpServletRequest request, HttpServletResponse response) {
        if (!response.containsHeader(HEADER)) {
            response.setHeader(HEADER, POLICY + productOrigins(clientId(request, response)));
        }
    }

    /** The client whose authorization request this page continues: the notice names it; the sign-in page has it waiting in a cookie. */
    private String clientId(HttpServletRequest request, HttpServletResponse response) {
        if (FirstSignInNotice.PATH.equals(request.getServletPath())) {
            return request.getParameter("client_id");
        }
        SavedRequest saved = pending.getRequest(request, response);
        if (saved == null) {
            return null;
        }
        var uri = UriComponentsBuilder.fromUriString(saved.getRedirectUrl()).build();
        String clientId = "/oauth2/authorize".equals(uri.getPath()) ? uri.getQueryParams().getFirst("client_id") : null;
        return clientId == null ? null : UriUtils.decode(clientId, StandardCharsets.UTF_8);
    }

    private String productOrigins(String clientId) {
        RegisteredClient client = clientId == null || clientId.isBlank() ? null : clients.findByClientId(clientId);
        if (client == null) {
            return "";
        }
        // registered redirect URIs are absolute http(s) URIs without wildcards (SignInClients.checkRedirectUri)
        return client.getRedirectUris().stream().map(URI::create).map(u -> " " + u.getScheme() + "://" + u.getRawAuthority()).distinct()
                .collect(Collectors.joining());
    }
}
