package org.tilldela.sso;

import java.time.Duration;
import java.util.Map;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.converter.FormHttpMessageConverter;
import org.springframework.security.oauth2.client.endpoint.RestClientAuthorizationCodeTokenResponseClient;
import org.springframework.security.oauth2.client.http.OAuth2ErrorResponseErrorHandler;
import org.springframework.security.oauth2.client.oidc.authentication.OidcIdTokenDecoderFactory;
import org.springframework.security.oauth2.client.oidc.authentication.OidcIdTokenValidator;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrations;
import org.springframework.security.oauth2.client.userinfo.DefaultOAuth2UserService;
import org.springframework.security.oauth2.core.http.converter.OAuth2AccessTokenResponseHttpMessageConverter;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.tilldela.platform.OutboundHosts;

/**
 * Every call Tilldela makes to an upstream provider — discovery, token endpoint, userinfo, JWK set — with a
 * connect and a read timeout ({@code tilldela.sso.upstream-timeout}): a municipality's provider that hangs
 * or cannot be reached ends a sign-in on the failure page instead of holding a request thread for ever.
 * Every address is checked against {@code tilldela.sso.allowed-hosts} before a call (the issuer an administrator gave,
 * and the endpoints its discovery names, may point inside the network). Apart from that each client is set up as
 * Spring Security's default one.
 */
final class UpstreamHttp {

    private final Duration timeout;
    private final ClientHttpRequestFactory requests;

    /** {@code hosts}: where calls may go — the issuer an administrator gave, and every endpoint its discovery names. */
    UpstreamHttp(Duration timeout, OutboundHosts hosts) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            // zero would mean no timeout at all
            throw new IllegalArgumentException("tilldela.sso.upstream-timeout must be positive.");
        }
        this.timeout = timeout;
        this.requests = hosts.requests(timeout);
    }

    Duration timeout() {
        return timeout;
    }

    /**
     * OpenID Connect discovery at {@code issuer + /.well-known/openid-configuration}; the metadata must name that
     * very issuer (OpenID Connect Discovery 1.0 §4.3), as {@link ClientRegistrations#fromOidcIssuerLocation} checks.
     */
    ClientRegistration.Builder discover(String issuer) {
        // an issuer has no query or fragment (UpstreamProviders.checkIssuer)
        String location = issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration";
        Map<String, Object> metadata = RestClient.builder().requestFactory(requests).build().get().uri(location).retrieve()
                .body(new ParameterizedTypeReference<>() {
                });
        if (metadata == null || !issuer.equals(metadata.get("issuer"))) {
            throw new IllegalStateException("The provider's metadata names another issuer.");
        }
        return ClientRegistrations.fromOidcConfiguration(metadata);
    }

    /** The token endpoint's client: Spring's, with the timeouts. */
    RestClientAuthorizationCodeTokenResponseClient tokenResponseClient() {
        RestClientAuthorizationCodeTokenResponseClient client = new RestClientAuthorizationCodeTokenResponseClient();
        client.setRestClient(RestClient.builder().requestFactory(requests)
                .configureMessageConverters(c -> c.addCustomConverter(new FormHttpMessageConverter())
                        .addCustomConverter(new OAuth2AccessTokenResponseHttpMessageConverter()))
                .defaultStatusHandler(new OAuth2ErrorResponseErrorHandler()).build());
        return client;
    }

    /** The userinfo endpoint's client: Spring's, with the timeouts. */
    DefaultOAuth2UserService userInfo() {
        RestTemplate rest = new RestTemplate(requests);
        rest.setErrorHandler(new OAuth2ErrorResponseErrorHandler());
        DefaultOAuth2UserService service = new DefaultOAuth2UserService();
        service.setRestOperations(rest);
        return service;
    }

    /**
     * An ID-token decoder as {@link OidcIdTokenDecoderFactory} makes one (RS256 against the provider's JWK set;
     * timestamps and the OpenID Connect ID-token rules: issuer, audience, authorized party), but fetching the
     * JWK set with the timeouts.
     */
    JwtDecoder idTokenDecoder(ClientRegistration registration) {
        String jwkSetUri = registration.getProviderDetails().getJwkSetUri();
        if (jwkSetUri == null || jwkSetUri.isBlank()) {
            throw new IllegalStateException("The provider publishes no JWK set.");
        }
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(jwkSetUri).jwsAlgorithm(SignatureAlgorithm.RS256)
                .restOperations(new RestTemplate(requests)).build();
        decoder.setJwtValidator(JwtValidators.createDefaultWithValidators(new OidcIdTokenValidator(registration)));
        decoder.setClaimSetConverter(OidcIdTokenDecoderFactory.createDefaultClaimTypeConverter());
        return decoder;
    }
}
