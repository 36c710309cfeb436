package org.tilldela.provisioning.roster;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.tilldela.sso.SignInClientRefused;
import org.tilldela.sso.SignInClients;

/**
 * Roster clients: a product's system that fetches its roster over OneRoster 1.2, registered by a school
 * administrator (right ACCESS_ADMIN, like sign-in clients: it governs what goes to suppliers). The client
 * gets the client-credentials grant and only the OneRoster scopes asked for (default roster-core.readonly);
 * registering is audited (SSO_SYSTEM_CLIENT_REGISTERED), the secret is in the answer only.
 */
@RestController
@RequestMapping("/api/v1/roster/clients")
// not filtered by scope yet (issue 11): only a grant over the whole installation may use it
@PreAuthorize("hasAuthority('RIGHT_ACCESS_ADMIN') and @scopes.wholeInstallation(authentication, 'ACCESS_ADMIN')")
@Tag(name = "Roster clients", description = "OAuth clients of products that fetch their roster over OneRoster 1.2")
class RosterClientApi {

    private final SignInClients clients;

    RosterClientApi(SignInClients clients) {
        this.clients = clients;
    }

    record NewRosterClient(UUID productId, String name, List<String> scopes) {
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Register a product's roster client; its secret is in this answer only")
    SignInClients.Registration register(@RequestBody NewRosterClient body, Authentication admin) {
        Set<String> scopes = new LinkedHashSet<>(body.scopes() == null || body.scopes().isEmpty() ? List.of(OneRosterScopes.CORE) : body.scopes());
        if (!OneRosterScopes.ALL.containsAll(scopes)) {
            throw new SignInClientRefused("Roster clients get OneRoster 1.2 rostering scopes only: " + String.join(", ", OneRosterScopes.ALL));
        }
        return clients.registerSystemClient(body.productId(), body.name(), scopes, admin.getName());
    }

    @ExceptionHandler(SignInClientRefused.class)
    ProblemDetail refused(SignInClientRefused e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    }
}
