package org.tilldela.sso.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.tilldela.sso.SamlServiceProviders;
import org.tilldela.sso.SignInClientRefused;

/** Suppliers' SAML service providers, registered from their metadata by school administrators (right ACCESS_ADMIN). */
@RestController
@RequestMapping("/api/v1/sso/saml")
// as the OpenID clients: not filtered by scope yet (issue 11), only a grant over the whole installation may use it
@PreAuthorize("hasAuthority('RIGHT_ACCESS_ADMIN') and @scopes.wholeInstallation(authentication, 'ACCESS_ADMIN')")
@Tag(name = "SAML service providers", description = "Suppliers' SAML 2.0 service providers: one per product's SAML sign-in")
class SamlServiceProviderApi {

    private final SamlServiceProviders providers;

    SamlServiceProviderApi(SamlServiceProviders providers) {
        this.providers = providers;
    }

    /** Exactly one of {@code metadata} (the XML) and {@code metadataUrl} (where to fetch it). */
    record NewServiceProvider(UUID productId, String metadata, String metadataUrl) {
    }

    @PostMapping("/service-providers")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Register an SP from its metadata (the XML, or its URL) for a product")
    SamlServiceProviders.ServiceProvider register(@RequestBody NewServiceProvider body, Authentication admin) {
        boolean xml = body.metadata() != null && !body.metadata().isBlank();
        boolean url = body.metadataUrl() != null && !body.metadataUrl().isBlank();
        if (xml == url) {
            throw new SignInClientRefused("Give either the metadata or its URL.");
        }
        return xml ? providers.register(body.productId(), body.metadata(), admin.getName())
                : providers.registerFrom(body.productId(), body.metadataUrl(), admin.getName());
    }

    @GetMapping("/service-providers")
    @Operation(summary = "Every registered SP")
    List<SamlServiceProviders.ServiceProvider> all() {
        return providers.all();
    }

    @DeleteMapping("/service-providers")
    @Operation(summary = "Remove an SP's registration (by entityID); its sign-ins stop at once")
    ResponseEntity<Void> remove(@RequestParam("entityId") String entityId, Authentication admin) {
        return providers.remove(entityId, admin.getName()) ? ResponseEntity.noContent().build() : ResponseEntity.notFound().build();
    }

    record SignResponse(boolean signResponse) {
    }

    @org.springframework.web.bind.annotation.PutMapping("/service-providers/sign-response")
    @Operation(summary = "Sign the whole Response as well as the assertion for this SP (by entityID), as some SPs require; audited")
    ResponseEntity<Void> signResponse(@RequestParam("entityId") String entityId, @RequestBody SignResponse body, Authentication admin) {
        return providers.setSignResponse(entityId, body.signResponse(), admin.getName()) ? ResponseEntity.noContent().build()
                : ResponseEntity.notFound().build();
    }

    record Scope(String scope) {
    }

    @org.springframework.web.bind.annotation.PutMapping("/organiser-scopes/{organiserId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Set an organiser's scope (its domain) for eduPersonPrincipalName and eduPersonScopedAffiliation")
    void scope(@org.springframework.web.bind.annotation.PathVariable UUID organiserId, @RequestBody Scope body, Authentication admin) {
        providers.setOrganiserScope(organiserId, body.scope(), admin.getName());
    }

    @ExceptionHandler(SignInClientRefused.class)
    ProblemDetail refused(SignInClientRefused e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    }
}
