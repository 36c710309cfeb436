package org.tilldela.sso.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.CallerScope;
import org.tilldela.governance.Scopes;
import org.tilldela.sso.PersonAccounts;

/** Local sign-in accounts of pupils and staff (schools without an identity provider of their own; right DIRECTORY_ADMIN). */
@RestController
@RequestMapping("/api/v1/sso/persons")
// filtered by the caller's DIRECTORY_ADMIN scope through the directory's one rule for "a person within scope" (isWithin)
@PreAuthorize("hasAuthority('RIGHT_DIRECTORY_ADMIN')")
@Tag(name = "Sign-in accounts", description = "Local accounts pupils and staff sign in to their learning materials with")
class PersonAccountApi {

    private final PersonAccounts accounts;
    private final org.tilldela.sso.SignInCards cards;
    private final Scopes scopes;
    private final OrganisationBrowser organisations;

    PersonAccountApi(PersonAccounts accounts, org.tilldela.sso.SignInCards cards, Scopes scopes, OrganisationBrowser organisations) {
        this.accounts = accounts;
        this.cards = cards;
        this.scopes = scopes;
        this.organisations = organisations;
    }

    /**
     * A person outside the caller's DIRECTORY_ADMIN scope is not found, whether or not they exist; checked before anything else
     * about the request (the name, the password's strength), so no other answer tells them apart, and nothing changes.
     */
    private void requireWithin(UUID personId, Authentication admin) {
        CallerScope scope = scopes.of(admin, AdminRight.DIRECTORY_ADMIN);
        if (!scope.isWholeInstallation() && !organisations.isWithin(personId, scope)) {
            // no id in the reason: a resolved exception's reason can reach the log
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
    }

    record Account(String username, String password) {
    }

    @PutMapping("/{personId}/account")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Create a person's local sign-in account, or set a new password on it (stored as an Argon2id hash; audited)")
    void set(@PathVariable UUID personId, @RequestBody Account body, Authentication admin) {
        requireWithin(personId, admin);
        accounts.setPassword(personId, body.username(), body.password(), admin.getName());
    }

    @DeleteMapping("/{personId}/card")
    @Operation(summary = "End a person's sign-in card at once (audited); 404 when they have none in use")
    ResponseEntity<Void> endCard(@PathVariable UUID personId, Authentication admin) {
        requireWithin(personId, admin);
        return cards.revoke(personId, admin.getName(), java.util.Map.of("via", "api")) ? ResponseEntity.noContent().build() : ResponseEntity.notFound().build();
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail refused(IllegalArgumentException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    }
}
