package org.tilldela.sso.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.tilldela.sso.SignInClientRefused;
import org.tilldela.sso.SignInClients;

/** Products' sign-in integrations (OpenID Connect clients), registered by school administrators (right ACCESS_ADMIN). */
@RestController
@RequestMapping("/api/v1/sso/clients")
// not filtered by scope yet (issue 11): only a grant over the whole installation may use it
@PreAuthorize("hasAuthority('RIGHT_ACCESS_ADMIN') and @scopes.wholeInstallation(authentication, 'ACCESS_ADMIN')")
@Tag(name = "Sign-in clients", description = "OpenID Connect clients: one per product's sign-in integration")
class SignInClientApi {

    private final SignInClients clients;
    private final org.tilldela.sso.SignInClientRequests requests;

    SignInClientApi(SignInClients clients, org.tilldela.sso.SignInClientRequests requests) {
        this.clients = clients;
        this.requests = requests;
    }

    record NewClient(UUID productId, String name, List<String> redirectUris, boolean confidential, String initiateLoginUri,
                     List<String> postLogoutRedirectUris) {
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Register a product's sign-in client; a confidential client's secret is in this answer only")
    SignInClients.Registration register(@RequestBody NewClient body, Authentication admin) {
        return clients.register(body.productId(), body.name(), body.redirectUris(), body.confidential(), body.initiateLoginUri(),
                body.postLogoutRedirectUris(), admin.getName());
    }

    @GetMapping
    @Operation(summary = "Every registered sign-in client (never a secret)")
    List<SignInClients.SignInClient> all() {
        return clients.all();
    }

    @GetMapping("/requests")
    @Operation(summary = "Sign-in clients suppliers filed, awaiting a decision")
    List<org.tilldela.sso.SignInClientRequests.ClientRequest> filed() {
        return requests.filed();
    }

    @PostMapping("/requests/{id}/approve")
    @Operation(summary = "Approve a filed sign-in client: it is registered and can sign people in")
    org.tilldela.sso.SignInClientRequests.ClientRequest approve(@org.springframework.web.bind.annotation.PathVariable UUID id, Authentication admin) {
        return requests.approve(id, admin.getName());
    }

    record Decline(String reason) {
    }

    @PostMapping("/requests/{id}/decline")
    @Operation(summary = "Decline a filed sign-in client, saying why")
    org.tilldela.sso.SignInClientRequests.ClientRequest decline(@org.springframework.web.bind.annotation.PathVariable UUID id, @RequestBody Decline body,
                                                                Authentication admin) {
        return requests.decline(id, body.reason(), admin.getName());
    }

    @ExceptionHandler(SignInClientRefused.class)
    ProblemDetail refused(SignInClientRefused e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    }
}
