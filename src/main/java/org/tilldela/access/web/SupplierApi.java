package org.tilldela.access.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.access.AttributePackage;
import org.tilldela.access.DataAccessAgreement;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.access.DataAccessRefused;
import org.tilldela.access.NewDataAccessRequest;
import org.tilldela.access.SupplierClients;
import org.tilldela.catalog.Attribute;

/** For suppliers' systems, signed in with their own API credentials: file and follow their data-access requests. */
@RestController
@RequestMapping("/api/v1/supplier")
@PreAuthorize("hasAuthority('SUPPLIER')")
@Tag(name = "Supplier API", description = "Signed in as a supplier's API client (HTTP Basic with client id and secret)")
class SupplierApi {

    /**
     * A supplier may learn nothing about other suppliers' products (not even their article numbers) nor
     * which organisation ids exist: a product that is not its own, whether it exists or not, and a scope
     * that is not an organiser or school unit, whether it exists or not, get one and the same refusal.
     */
    private static final Set<String> UNAVAILABLE = Set.of("productNotFound", "notSuppliersProduct", "scopeNotFound", "scopeKind");
    private static final String UNAVAILABLE_MESSAGE = "The product is not one of this supplier's, or the scope is not an organiser or school unit.";

    private final DataAccessAgreements agreements;
    private final SupplierClients clients;

    SupplierApi(DataAccessAgreements agreements, SupplierClients clients) {
        this.agreements = agreements;
        this.clients = clients;
    }

    record RequestBodyJson(UUID productId, UUID scopeId, AttributePackage attributePackage, Set<Attribute> attributes, String purpose,
                           String legalBasis, Integer retentionDays) {
    }

    @Operation(summary = "File a data-access request for one of the supplier's products at an organiser or school unit")
    @PostMapping("/data-access-requests")
    @ResponseStatus(HttpStatus.CREATED)
    AccessApi.AgreementJson file(@RequestBody RequestBodyJson body, Authentication auth) {
        UUID supplier = supplierOf(auth);
        if (body.productId() == null || body.scopeId() == null || body.attributePackage() == null || body.retentionDays() == null) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "productId, scopeId, attributePackage and retentionDays are required");
        }
        try {
            DataAccessAgreement filed = agreements.file(supplier, new NewDataAccessRequest(body.productId(), body.scopeId(), body.attributePackage(),
                    body.attributes(), body.purpose(), body.legalBasis(), body.retentionDays()), "supplier:" + auth.getName());
            return AccessApi.AgreementJson.of(filed);
        } catch (DataAccessRefused e) {
            if (e.code() != null && UNAVAILABLE.contains(e.code())) {
                throw new DataAccessRefused(UNAVAILABLE_MESSAGE);
            }
            throw e;
        }
    }

    @Operation(summary = "The supplier's own requests and agreements, newest first")
    @GetMapping("/data-access-requests")
    List<AccessApi.AgreementJson> list(Authentication auth) {
        return agreements.list(null, supplierOf(auth), 500).stream().map(AccessApi.AgreementJson::of).toList();
    }

    @GetMapping("/data-access-requests/{id}")
    AccessApi.AgreementJson one(@PathVariable UUID id, Authentication auth) {
        UUID supplier = supplierOf(auth);
        return agreements.agreement(id).filter(a -> a.supplierId().equals(supplier)).map(AccessApi.AgreementJson::of)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no such request of this supplier"));
    }

    private UUID supplierOf(Authentication auth) {
        return clients.supplierOf(auth.getName()).orElseThrow(() -> new ResponseStatusException(HttpStatus.UNAUTHORIZED));
    }
}
