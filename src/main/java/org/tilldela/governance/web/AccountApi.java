package org.tilldela.governance.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.governance.AdminAccounts;
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.GrantScope;

/**
 * Administrator accounts over the API: create, disable and enable, grant and revoke rights. Only accounts
 * within the caller's reach are found (every grant they hold is one the caller could have granted); any
 * other answers 404 as if it did not exist. A grant beyond what the caller holds answers 403, the same
 * whether or not the units asked for exist.
 */
@RestController
@PreAuthorize("hasAuthority('RIGHT_ACCOUNT_ADMIN')")
@RequestMapping("/api/v1/admin-accounts")
@Tag(name = "Administrator accounts", description = "Accounts and their rights, each granted within a scope: the whole installation, or organisation units "
        + "(with everything below them), optionally narrowed to school forms. You grant only rights you hold, within your own scope.")
class AccountApi {

    record NewAccount(String username, String displayName, String password) {
    }

    /** {@code right}: an AdminRight; either {@code wholeInstallation} or {@code organisations}; {@code schoolForms} optional (codes such as FS, GR). */
    record NewGrant(AdminRight right, Boolean wholeInstallation, Set<UUID> organisations, Set<String> schoolForms) {
    }

    record AccountJson(String username, String displayName, boolean enabled, Instant createdAt, List<AdminGrants.Grant> grants, UUID person,
                       UUID upstreamOrganiser, String upstreamSubject, boolean breakGlass, boolean secondFactorRequired, String email,
                       String language, Instant lockedOutUntil) {
    }

    /** Where Tilldela mails the account (access-review notices): an address and a language, sv, da or en; null or blank: none. */
    record Contact(String email, String language) {
    }

    /** The upstream account (its organiser and subject, "sub") the account signs in as; both null: none. */
    record UpstreamBinding(UUID organiserId, String subject) {
    }

    record BreakGlass(boolean breakGlass) {
    }

    record SecondFactorRequirement(boolean required) {
    }

    /** The directory person the account is (null: none), for rights from duties. */
    record PersonLink(UUID person) {
    }

    private final AdminAccounts accounts;
    private final AdminGrants grants;
    private final AccountSessions sessions;
    private final org.tilldela.governance.DutyGrants dutyGrants;

    private final org.tilldela.governance.AdminUpstreamAccounts upstream;
    private final org.tilldela.governance.SecondFactor secondFactor;

    AccountApi(AdminAccounts accounts, AdminGrants grants, AccountSessions sessions, org.tilldela.governance.DutyGrants dutyGrants,
               org.tilldela.governance.AdminUpstreamAccounts upstream, org.tilldela.governance.SecondFactor secondFactor) {
        this.upstream = upstream;
        this.secondFactor = secondFactor;
        this.accounts = accounts;
        this.grants = grants;
        this.sessions = sessions;
        this.dutyGrants = dutyGrants;
    }

    @GetMapping
    @Operation(summary = "The accounts within your reach, with their grants")
    List<AccountJson> list(Authentication auth) {
        return accounts.manageableBy(auth.getName()).stream().map(this::json).toList();
    }

    @GetMapping("/{username}")
    @Operation(summary = "One account with its grants; 404 when it does not exist or is beyond your reach")
    AccountJson account(@PathVariable String username, Authentication auth) {
        return accounts.manageable(auth.getName(), username).map(this::json).orElseThrow(AccountApi::notFound);
    }

    @PostMapping
    @Operation(summary = "Creates an account without rights (201); its initial password must pass the password policy (400 otherwise)")
    ResponseEntity<AccountJson> create(@RequestBody NewAccount request, Authentication auth) {
        if (request == null) {
            throw new IllegalArgumentException("An account needs a username, a displayName and a password.");
        }
        AdminAccounts.Account created = accounts.create(auth.getName(), request.username(), request.displayName(), request.password());
        return ResponseEntity.created(URI.create("/api/v1/admin-accounts/" + created.username())).body(json(created));
    }

    @PostMapping("/{username}/disable")
    @Operation(summary = "Disables an account: it can no longer sign in, its open sessions end, and it sees nothing")
    AccountJson disable(@PathVariable String username, Authentication auth) {
        if (!accounts.setEnabled(auth.getName(), username, false)) {
            throw notFound();
        }
        sessions.signOut(username);
        return account(username, auth);
    }

    @PostMapping("/{username}/enable")
    @Operation(summary = "Enables a disabled account again")
    AccountJson enable(@PathVariable String username, Authentication auth) {
        if (!accounts.setEnabled(auth.getName(), username, true)) {
            throw notFound();
        }
        return account(username, auth);
    }

    @PostMapping("/{username}/lockout/lift")
    @Operation(summary = "Lifts the account's sign-in lockout after repeated failures (lockedOutUntil: its password or second-factor codes); "
            + "audited. 400 for your own account, or one lifted within the lockout period (once per period)")
    AccountJson liftLockout(@PathVariable String username, Authentication auth) {
        try {
            if (!accounts.liftLockout(auth.getName(), username)) {
                throw notFound();
            }
        } catch (AdminAccounts.LockoutLiftRefused e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        return account(username, auth);
    }

    @PostMapping("/{username}/grants")
    @Operation(summary = "Grants a right within a scope (201); 403 unless you hold the right and ACCOUNT_ADMIN over all of that scope")
    ResponseEntity<AdminGrants.Grant> grant(@PathVariable String username, @RequestBody NewGrant request, Authentication auth) {
        account(username, auth);
        if (request == null || request.right() == null) {
            throw new IllegalArgumentException("A grant needs a right.");
        }
        GrantScope scope = new GrantScope(Boolean.TRUE.equals(request.wholeInstallation()), request.organisations(), request.schoolForms());
        AdminGrants.Grant grant = grants.grant(auth.getName(), username, request.right(), scope);
        return ResponseEntity.created(URI.create("/api/v1/admin-accounts/" + username + "/grants/" + grant.id())).body(grant);
    }

    @DeleteMapping("/{username}/grants/{id}")
    @Operation(summary = "Revokes a grant (204); 404 when there is none you could have granted")
    ResponseEntity<Void> revoke(@PathVariable String username, @PathVariable long id, Authentication auth) {
        account(username, auth);
        if (!grants.revoke(auth.getName(), username, id)) {
            throw notFound();
        }
        return ResponseEntity.noContent().build();
    }

    @org.springframework.web.bind.annotation.PutMapping("/{username}/person")
    @Operation(summary = "Says which directory person the account is (null: none), so duty rules reach it; the person must be on duty "
            + "within your scope (404 otherwise, as for an account beyond your reach)")
    AccountJson linkPerson(@PathVariable String username, @RequestBody PersonLink request, Authentication auth) {
        account(username, auth);
        if (!dutyGrants.linkPerson(auth.getName(), username, request == null ? null : request.person())) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no such person");
        }
        return account(username, auth);
    }

    @org.springframework.web.bind.annotation.PutMapping("/{username}/upstream-binding")
    @Operation(summary = "Binds the account to an upstream account (the subject, sub, at the organiser's identity provider) it signs in as; "
            + "both null removes the binding. 404 unless you hold ACCOUNT_ADMIN over the organiser")
    AccountJson bindUpstream(@PathVariable String username, @RequestBody UpstreamBinding request, Authentication auth) {
        account(username, auth);
        if (!upstream.bind(auth.getName(), username, request == null ? null : request.organiserId(), request == null ? null : request.subject())) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no such organiser");
        }
        return account(username, auth);
    }

    @org.springframework.web.bind.annotation.PutMapping("/{username}/break-glass")
    @Operation(summary = "Marks the account as a break-glass account: it may sign in with its local password although its organiser has an "
            + "identity provider (each such sign-in audited); false removes the mark")
    AccountJson breakGlass(@PathVariable String username, @RequestBody BreakGlass request, Authentication auth) {
        account(username, auth);
        upstream.setBreakGlass(auth.getName(), username, request != null && request.breakGlass());
        return account(username, auth);
    }

    @org.springframework.web.bind.annotation.PutMapping("/{username}/second-factor-required")
    @Operation(summary = "Requires a second factor of the account: it must set one up before any page, and uses personal API tokens "
            + "instead of its password on the API")
    AccountJson requireSecondFactor(@PathVariable String username, @RequestBody SecondFactorRequirement request, Authentication auth) {
        account(username, auth);
        secondFactor.require(auth.getName(), username, request == null || request.required());
        return account(username, auth);
    }

    @org.springframework.web.bind.annotation.PutMapping("/{username}/contact")
    @Operation(summary = "Sets the account's e-mail address and preferred language (sv, da, en) for the notices Tilldela mails it; null or "
            + "blank removes either. 400 when the address or language is not valid (nothing is saved then)")
    AccountJson contact(@PathVariable String username, @RequestBody Contact request, Authentication auth) {
        account(username, auth);
        if (!accounts.setContact(auth.getName(), username, request == null ? null : request.email(), request == null ? null : request.language())) {
            throw notFound();
        }
        return account(username, auth);
    }

    @ExceptionHandler(AdminGrants.GrantRefused.class)
    ProblemDetail refused(AdminGrants.GrantRefused e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, e.getMessage());
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail invalid(IllegalArgumentException e) {
        // the password policy's refusals are IllegalArgumentExceptions too; their message names the rule, never the password
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    private AccountJson json(AdminAccounts.Account a) {
        var binding = upstream.binding(a.username());
        var contact = accounts.contact(a.username());
        return new AccountJson(a.username(), a.displayName(), a.enabled(), a.createdAt(), grants.of(a.username()),
                dutyGrants.linkedPersonId(a.username()).orElse(null),
                binding.organiser(), binding.subject(), binding.breakGlass(), secondFactor.requiredFor(a.username()), contact.email(), contact.language(),
                accounts.lockedOutUntil(a.username()).orElse(null));
    }

    private static ResponseStatusException notFound() {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "no such account");
    }
}
