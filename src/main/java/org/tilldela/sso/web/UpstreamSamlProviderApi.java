package org.tilldela.sso.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import org.tilldela.sso.UpstreamProviders;
import org.tilldela.sso.UpstreamSamlProviders;

/**
 * Organisers' own SAML identity providers (upstream SAML), kept by the administrators who keep their OpenID
 * providers (right DIRECTORY_ADMIN, UpstreamProviderApi): both decide how directory persons sign in.
 */
@RestController
@RequestMapping("/api/v1/sso/upstream-saml-providers")
// as the OpenID providers: not filtered by scope yet (issue 11), only a grant over the whole installation may use it
@PreAuthorize("hasAuthority('RIGHT_DIRECTORY_ADMIN') and @scopes.wholeInstallation(authentication, 'DIRECTORY_ADMIN')")
@Tag(name = "Upstream SAML identity providers", description = "A municipality's own SAML IdP (ADFS, Shibboleth, Entra ID) its pupils and staff sign in through")
class UpstreamSamlProviderApi {

    private final UpstreamSamlProviders idps;
    private final AuthorizationServerSettings server;

    UpstreamSamlProviderApi(UpstreamSamlProviders idps, AuthorizationServerSettings server) {
        this.idps = idps;
        this.server = server;
    }

    /** Tilldela's addresses as the municipality's IdP must know them: the public origin, else this request's. */
    private String base(HttpServletRequest request) {
        return server.getIssuer() != null ? server.getIssuer() : ServletUriComponentsBuilder.fromContextPath(request).build().toUriString();
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Register an organiser's SAML IdP from its metadata (the XML, or its URL): entityID, SingleSignOnService and signing "
            + "certificates come from there; audited. The answer's spMetadataUrl is what the municipality registers at its IdP.")
    UpstreamSamlProviders.Idp register(@RequestBody UpstreamSamlProviders.Settings body, Authentication admin, HttpServletRequest request) {
        return UpstreamSamlProviders.withAddresses(idps.register(body, admin.getName()), base(request));
    }

    @GetMapping
    @Operation(summary = "Every organiser's SAML IdP, with Tilldela's SP metadata URL and ACS URL for it")
    List<UpstreamSamlProviders.Idp> all(HttpServletRequest request) {
        String base = base(request);
        return idps.all().stream().map(idp -> UpstreamSamlProviders.withAddresses(idp, base)).toList();
    }

    @PutMapping("/{id}")
    @Operation(summary = "Change an IdP: matching rule, enabled, and (given again) its metadata (leave metadata and metadataUrl out to keep "
            + "the stored metadata; audited)")
    UpstreamSamlProviders.Idp change(@PathVariable UUID id, @RequestBody UpstreamSamlProviders.Settings body, Authentication admin,
                                     HttpServletRequest request) {
        return UpstreamSamlProviders.withAddresses(idps.change(id, body, admin.getName()), base(request));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Remove an IdP: its button leaves the sign-in page (audited)")
    void remove(@PathVariable UUID id, Authentication admin) {
        idps.remove(id, admin.getName());
    }

    @ExceptionHandler(UpstreamProviders.AlreadyRegistered.class)
    ProblemDetail conflict(UpstreamProviders.AlreadyRegistered e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail refused(IllegalArgumentException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    }
}
