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
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.access.SupplierClients;
import org.tilldela.sso.SignInClientRefused;
import org.tilldela.sso.SignInClientRequests;

/** A supplier's system files sign-in clients for its own products (its API door; an access administrator approves). */
@RestController
@RequestMapping("/api/v1/supplier/sso/clients")
@PreAuthorize("hasAuthority('SUPPLIER')")
@Tag(name = "Supplier API")
class SupplierSignInClientApi {

    private final SignInClientRequests requests;
    private final SupplierClients suppliers;

    SupplierSignInClientApi(SignInClientRequests requests, SupplierClients suppliers) {
        this.requests = requests;
        this.suppliers = suppliers;
    }

    record NewClient(UUID productId, String name, List<String> redirectUris, boolean confidential, String initiateLoginUri) {
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "File a sign-in client for one of the supplier's products; its secret is in this answer only, and it works once approved")
    SignInClientRequests.Filed file(@RequestBody NewClient body, Authentication auth) {
        return requests.file(supplierOf(auth), body.productId(), body.name(), body.redirectUris(), body.confidential(), body.initiateLoginUri(),
                "supplier:" + auth.getName());
    }

    @GetMapping
    @Operation(summary = "The supplier's filed sign-in clients and their state")
    List<SignInClientRequests.ClientRequest> mine(Authentication auth) {
        return requests.ofSupplier(supplierOf(auth));
    }

    private UUID supplierOf(Authentication auth) {
        return suppliers.supplierOf(auth.getName()).orElseThrow(() -> new ResponseStatusException(HttpStatus.UNAUTHORIZED));
    }

    @ExceptionHandler(SignInClientRefused.class)
    ProblemDetail refused(SignInClientRefused e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT, e.getMessage());
    }
}
