package org.tilldela.sso;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationException;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationToken;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

/**
 * Answers a failed authorization request as RFC 6749 §4.1.2.1 says — to the client's (already validated)
 * redirect URI with the error and state, or with 400 when there is no valid redirect URI to send it to —
 * except when a signed-in person holds no licence for the product: they first see a page that names the
 * product and whom to ask, whose button then takes them back to the client with {@code access_denied}.
 */
class AuthorizationErrors implements AuthenticationFailureHandler {

    /** The error description that marks a refusal for want of a licence (the client sees only access_denied). */
    static final String NO_LICENCE = "The person holds no licence for this product.";
    static final String SESSION_KEY = AuthorizationErrors.class.getName() + ".noLicence";

    /** What the page about a missing licence shows; in the session (JDBC), so plain serialisable values only. */
    record NoLicence(String productTitle, String supplierName, String backToProduct) implements Serializable {
        NoLicence withBack(String uri) {
            return new NoLicence(productTitle, supplierName, uri);
        }
    }

    private final java.util.function.Function<String, NoLicence> describe;

    /** {@code describe} turns a client id into the product and supplier the page names. */
    AuthorizationErrors(java.util.function.Function<String, NoLicence> describe) {
        this.describe = describe;
    }

    @Override
    public void onAuthenticationFailure(HttpServletRequest request, HttpServletResponse response, AuthenticationException exception)
            throws IOException {
        OAuth2AuthorizationCodeRequestAuthenticationException failure = (OAuth2AuthorizationCodeRequestAuthenticationException) exception;
        OAuth2Error error = failure.getError();
        OAuth2AuthorizationCodeRequestAuthenticationToken authorizationRequest = failure.getAuthorizationCodeRequestAuthentication();
        if (authorizationRequest == null || authorizationRequest.getRedirectUri() == null || authorizationRequest.getRedirectUri().isBlank()) {
            response.sendError(HttpStatus.BAD_REQUEST.value(), error.toString());
            return;
        }
        UriComponentsBuilder back = UriComponentsBuilder.fromUriString(authorizationRequest.getRedirectUri())
                .queryParam(OAuth2ParameterNames.ERROR, error.getErrorCode());
        boolean noLicence = OAuth2ErrorCodes.ACCESS_DENIED.equals(error.getErrorCode()) && NO_LICENCE.equals(error.getDescription());
        if (error.getDescription() != null && !noLicence) {
            back.queryParam(OAuth2ParameterNames.ERROR_DESCRIPTION, UriUtils.encode(error.getDescription(), StandardCharsets.UTF_8));
        }
        if (authorizationRequest.getState() != null && !authorizationRequest.getState().isBlank()) {
            back.queryParam(OAuth2ParameterNames.STATE, UriUtils.encode(authorizationRequest.getState(), StandardCharsets.UTF_8));
        }
        String backUri = back.build(true).toUriString();
        if (noLicence) {
            request.getSession().setAttribute(SESSION_KEY, describe.apply(authorizationRequest.getClientId()).withBack(backUri));
            response.sendRedirect(request.getContextPath() + "/start/no-licence");
            return;
        }
        response.sendRedirect(backUri);
    }
}
