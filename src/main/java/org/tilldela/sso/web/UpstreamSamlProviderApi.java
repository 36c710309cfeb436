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
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.CallerScope;
import org.tilldela.governance.Scopes;
import org.tilldela.sso.UpstreamProviders;
import org.tilldela.sso.UpstreamSamlProviders;

/**
 * Organisers' own SAML identity providers (upstream SAML), kept by the administrators who keep their OpenID
 * providers (right DIRECTORY_ADMIN, UpstreamProviderApi): both decide how directory persons sign in.
 */
@RestController
@RequestMapping("/api/v1/sso/upstream-saml-providers")
// as the OpenID providers: within the caller's DIRECTORY_ADMIN scope (UpstreamProviders.kept); any other IdP is not found (404)
@PreAuthorize("hasAuthority('RIGHT_DIRECTORY_ADMIN')")
@Tag(name = "Upstream SAML identity providers", description = "A municipality's own SAML IdP (ADFS, Shibboleth, Entra ID) its pupils and staff sign in through")
class UpstreamSamlProviderApi {

    private final UpstreamSamlProviders idps;
    private final AuthorizationServerSettings server;
    private final UpstreamProviders providers;
    private final Scopes scopes;

    UpstreamSamlProviderApi(UpstreamSamlProviders idps, AuthorizationServerSettings server, UpstreamProviders providers, Scopes scopes) {
        this.idps = idps;
        this.server = server;
        this.providers = providers;
        this.scopes = scopes;
    }

    private CallerScope scope(Authentication admin) {
        return scopes.of(admin, AdminRight.DIRECTORY_ADMIN);
    }

    /** Another organiser's IdP, and one that does not exist, alike. */
    private void requireKept(UUID id, Authentication admin) {
        idps.idp(scope(admin), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No SAML identity provider with that id."));
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
        if (body.organiserId() != null && !providers.keeps(scope(admin), body.organiserId())) {
            // as if the organiser did not exist: nobody learns of another organiser, or whether it has a provider
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "No organiser (huvudman / skoleejer) with that id within your grant.");
        }
        return UpstreamSamlProviders.withAddresses(idps.register(body, admin.getName()), base(request));
    }

    @GetMapping
    @Operation(summary = "The SAML IdPs of the organisers within the caller's scope, with Tilldela's SP metadata URL and ACS URL for each")
    List<UpstreamSamlProviders.Idp> all(HttpServletRequest request, Authentication admin) {
        String base = base(request);
        return idps.all(scope(admin)).stream().map(idp -> UpstreamSamlProviders.withAddresses(idp, base)).toList();
    }

    @PutMapping("/{id}")
    @Operation(summary = "Change an IdP: matching rule, enabled, and (given again) its metadata (leave metadata and metadataUrl out to keep "
            + "the stored metadata; audited)")
    UpstreamSamlProviders.Idp change(@PathVariable UUID id, @RequestBody UpstreamSamlProviders.Settings body, Authentication admin,
                                     HttpServletRequest request) {
        requireKept(id, admin);
        return UpstreamSamlProviders.withAddresses(idps.change(id, body, admin.getName()), base(request));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Remove an IdP: its button leaves the sign-in page (audited)")
    void remove(@PathVariable UUID id, Authentication admin) {
        requireKept(id, admin);
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
