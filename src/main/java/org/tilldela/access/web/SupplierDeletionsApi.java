package org.tilldela.access.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.access.SupplierClients;
import org.tilldela.access.SupplierDeletions;
import org.tilldela.ledger.SupplierConfirmation;

/**
 * The supplier's door for deletion requests: what it must delete (fetching it is the request) and its
 * confirmation of each. For suppliers without a SCIM connector; any supplier may use it.
 */
@RestController
@RequestMapping("/api/v1/supplier/deletions")
@PreAuthorize("hasAuthority('SUPPLIER')")
@Tag(name = "Supplier API", description = "Signed in as a supplier's API client (HTTP Basic with client id and secret)")
class SupplierDeletionsApi {

    private final SupplierDeletions deletions;
    private final SupplierClients clients;

    SupplierDeletionsApi(SupplierDeletions deletions, SupplierClients clients) {
        this.deletions = deletions;
        this.clients = clients;
    }

    @Operation(summary = "What this supplier must delete: per person its pseudonymous id, the product and the due date, oldest first. "
            + "Fetching is the deletion request (its time is recorded); confirm each with POST …/{id}/confirmation")
    @GetMapping
    SupplierDeletions.Page list(@RequestParam(defaultValue = "500") int limit, @RequestParam(defaultValue = "0") int offset, Authentication auth) {
        if (limit < 1 || limit > 1000 || offset < 0) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "limit must be 1 to 1000 and offset not negative");
        }
        return deletions.fetch(supplierOf(auth), auth.getName(), limit, offset);
    }

    /** The confirmation as recorded: {@code confirmedAt} is the first confirmation's time. */
    record ConfirmationJson(UUID id, UUID productId, Instant confirmedAt, boolean alreadyConfirmed) {
    }

    @Operation(summary = "Confirms that the supplier deleted what it held about the person of this request (idempotent)")
    @PostMapping("/{id}/confirmation")
    ConfirmationJson confirm(@PathVariable UUID id, Authentication auth) {
        SupplierConfirmation c = deletions.confirm(supplierOf(auth), auth.getName(), id)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no such deletion request of this supplier"));
        if (c.outcome() == SupplierConfirmation.Outcome.SUPERSEDED) {
            throw new ResponseStatusException(HttpStatus.CONFLICT,
                    "this request is no longer current: the person's data was released to the supplier again since; fetch the list anew");
        }
        return new ConfirmationJson(c.requestId(), c.productId(), c.confirmedAt(), c.outcome() == SupplierConfirmation.Outcome.ALREADY_CONFIRMED);
    }

    private UUID supplierOf(Authentication auth) {
        return clients.supplierOf(auth.getName()).orElseThrow(() -> new ResponseStatusException(HttpStatus.UNAUTHORIZED));
    }
}
