package org.tilldela.sso.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
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
import org.tilldela.sso.UpstreamProviders;

/**
 * Organisers' own identity providers (upstream federation), kept by directory administrators (right
 * DIRECTORY_ADMIN, as for pupils' and staff's local accounts: both decide how directory persons sign in).
 */
@RestController
@RequestMapping("/api/v1/sso/upstream-providers")
// not filtered by scope yet (issue 11): only a grant over the whole installation may use it
@PreAuthorize("hasAuthority('RIGHT_DIRECTORY_ADMIN') and @scopes.wholeInstallation(authentication, 'DIRECTORY_ADMIN')")
@Tag(name = "Upstream identity providers", description = "A municipality's own OpenID provider its pupils and staff sign in through")
class UpstreamProviderApi {

    private final UpstreamProviders providers;

    UpstreamProviderApi(UpstreamProviders providers) {
        this.providers = providers;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Register an organiser's identity provider (checked by discovery at its issuer; the client secret is stored "
            + "encrypted and never shown again; audited). The answer's redirectUri is what the municipality registers at its provider.")
    UpstreamProviders.Provider register(@RequestBody UpstreamProviders.Settings body, Authentication admin) {
        return providers.register(body, admin.getName());
    }

    @GetMapping
    @Operation(summary = "Every organiser's identity provider, with the redirect URI to register there (never a secret)")
    List<UpstreamProviders.Provider> all() {
        return providers.all();
    }

    @PutMapping("/{id}")
    @Operation(summary = "Change a provider: issuer, client, scopes, matching rule, enabled (leave clientSecret out to keep the stored one; audited)")
    UpstreamProviders.Provider change(@PathVariable UUID id, @RequestBody UpstreamProviders.Settings body, Authentication admin) {
        return providers.change(id, body, admin.getName());
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Remove a provider: its button leaves the sign-in page (audited)")
    void remove(@PathVariable UUID id, Authentication admin) {
        providers.remove(id, admin.getName());
    }

    /** A second provider for an organiser: a conflict with the one it has, not a malformed request. */
    @ExceptionHandler(UpstreamProviders.AlreadyRegistered.class)
    ProblemDetail conflict(UpstreamProviders.AlreadyRegistered e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail refused(IllegalArgumentException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    }
}
