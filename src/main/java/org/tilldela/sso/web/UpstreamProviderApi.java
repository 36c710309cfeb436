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
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.CallerScope;
import org.tilldela.governance.Scopes;
import org.tilldela.sso.UpstreamProviders;

/**
 * Organisers' own identity providers (upstream federation), kept by directory administrators (right
 * DIRECTORY_ADMIN, as for pupils' and staff's local accounts: both decide how directory persons sign in).
 */
@RestController
@RequestMapping("/api/v1/sso/upstream-providers")
// within the caller's DIRECTORY_ADMIN scope (UpstreamProviders.kept): the providers of organisers a grant not narrowed to school
// forms covers; any other is not found (404) and not listed
@PreAuthorize("hasAuthority('RIGHT_DIRECTORY_ADMIN')")
@Tag(name = "Upstream identity providers", description = "A municipality's own OpenID provider its pupils and staff sign in through")
class UpstreamProviderApi {

    private final UpstreamProviders providers;
    private final Scopes scopes;

    UpstreamProviderApi(UpstreamProviders providers, Scopes scopes) {
        this.providers = providers;
        this.scopes = scopes;
    }

    private CallerScope scope(Authentication admin) {
        return scopes.of(admin, AdminRight.DIRECTORY_ADMIN);
    }

    /** Another organiser's provider, and one that does not exist, alike. */
    private UpstreamProviders.Provider requireKept(UUID id, Authentication admin) {
        return providers.provider(scope(admin), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No identity provider with that id."));
    }

    /**
     * The provider signs in the organiser's administrators too, standing for their password and second factor (README,
     * "Administrators of organisers with their own identity provider"): whoever says which issuer and client it is, and
     * whom its claim matches, says who signs in as those administrators. So registering one, or changing any of those,
     * also takes the right to manage their accounts — ACCOUNT_ADMIN over the organiser — or a directory administrator
     * could point it at a provider of their own and sign in as any administrator there. Its scopes, its secret, turning it
     * off and removing it only make signing in work or not.
     */
    private void requireAccountAdministrator(UUID organiser, Authentication admin) {
        if (!providers.keeps(scopes.of(admin, AdminRight.ACCOUNT_ADMIN), organiser)) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN, "This provider also signs in the organiser's administrators: registering it, or "
                    + "changing its issuer, client or matching rule, takes the right to manage their accounts as well (ACCOUNT_ADMIN over the organiser).");
        }
    }

    private static boolean sameTrust(UpstreamProviders.Provider before, UpstreamProviders.Settings after) {
        return before.issuer().equals(strip(after.issuer())) && before.clientId().equals(strip(after.clientId()))
                && before.matchClaim().equals(strip(after.matchClaim())) && before.matchField() == after.matchField();
    }

    private static String strip(String value) {
        return value == null ? null : value.strip();
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Register an organiser's identity provider (checked by discovery at its issuer; the client secret is stored "
            + "encrypted and never shown again; audited). The answer's redirectUri is what the municipality registers at its provider.")
    UpstreamProviders.Provider register(@RequestBody UpstreamProviders.Settings body, Authentication admin) {
        if (body.organiserId() != null && !providers.keeps(scope(admin), body.organiserId())) {
            // as if the organiser did not exist: nobody learns of another organiser, or whether it has a provider
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "No organiser (huvudman / skoleejer) with that id within your grant.");
        }
        if (body.organiserId() != null) {
            requireAccountAdministrator(body.organiserId(), admin);
        }
        return providers.register(body, admin.getName());
    }

    @GetMapping
    @Operation(summary = "The identity providers of the organisers within the caller's scope, with the redirect URI to register there (never a secret)")
    List<UpstreamProviders.Provider> all(Authentication admin) {
        return providers.all(scope(admin));
    }

    @PutMapping("/{id}")
    @Operation(summary = "Change a provider: issuer, client, scopes, matching rule, enabled (leave clientSecret out to keep the stored one; audited)")
    UpstreamProviders.Provider change(@PathVariable UUID id, @RequestBody UpstreamProviders.Settings body, Authentication admin) {
        UpstreamProviders.Provider before = requireKept(id, admin);
        if (!sameTrust(before, body)) {
            requireAccountAdministrator(before.organiserId(), admin);
        }
        return providers.change(id, body, admin.getName());
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Remove a provider: its button leaves the sign-in page (audited)")
    void remove(@PathVariable UUID id, Authentication admin) {
        requireKept(id, admin);
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
