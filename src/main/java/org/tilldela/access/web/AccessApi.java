package org.tilldela.access.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.access.AttributePackage;
import org.tilldela.access.DataAccessAgreement;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.access.DataAccessRefused;
import org.tilldela.access.NewDataAccessRequest;
import org.tilldela.access.NoSuchRecord;
import org.tilldela.access.ReleaseObjections;
import org.tilldela.access.ReleasePolicy;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.CallerScope;
import org.tilldela.governance.Scopes;

/** Data-access requests and agreements for school administrators (right ACCESS_ADMIN). */
@RestController
@RequestMapping("/api/v1/access")
// filtered by the caller's ACCESS_ADMIN scope in DataAccessAgreements (SEEN, DECIDED) and, for a person, the directory's isWithin
@PreAuthorize("hasAuthority('RIGHT_ACCESS_ADMIN')")
@Tag(name = "Data access", description = "Data-access requests, agreements, objections and what the release policy permits")
class AccessApi {

    private final DataAccessAgreements agreements;
    private final ReleaseObjections objections;
    private final ReleasePolicy policy;
    private final Catalog catalog;
    private final Scopes scopes;
    private final OrganisationBrowser organisations;

    AccessApi(DataAccessAgreements agreements, ReleaseObjections objections, ReleasePolicy policy, Catalog catalog, Scopes scopes,
              OrganisationBrowser organisations) {
        this.scopes = scopes;
        this.organisations = organisations;
        this.agreements = agreements;
        this.objections = objections;
        this.policy = policy;
        this.catalog = catalog;
    }

    record StepJson(int number, String kind, String actor, Instant at, String reason, Set<Attribute> attributes) {
    }

    record AgreementJson(UUID id, UUID supplierId, UUID productId, UUID scopeId, AttributePackage attributePackage, Set<Attribute> requestedAttributes,
                         Set<Attribute> approvedAttributes, String purpose, String legalBasis, int retentionDays, String state, List<StepJson> steps) {
        static AgreementJson of(DataAccessAgreement a) {
            return new AgreementJson(a.id(), a.supplierId(), a.productId(), a.scopeId(), a.attributePackage(), a.requestedAttributes(),
                    a.approvedAttributes(), a.purpose(), a.legalBasis(), a.retentionDays(), a.state().name(),
                    a.steps().stream().map(s -> new StepJson(s.number(), s.kind().name(), s.actor(), s.at(), s.reason(), s.attributes())).toList());
        }
    }

    record FileJson(UUID productId, UUID scopeId, AttributePackage attributePackage, Set<Attribute> attributes, String purpose, String legalBasis,
                    Integer retentionDays) {
    }

    record DecisionJson(Set<Attribute> attributes, String reason) {
    }

    record ObjectionJson(UUID personId, UUID supplierId, String reason) {
    }

    @GetMapping("/requests")
    List<AgreementJson> list(@RequestParam(required = false) DataAccessAgreement.State state, @RequestParam(required = false) UUID supplierId,
                             Authentication auth) {
        return agreements.list(scope(auth), state, supplierId, 500).stream().map(AgreementJson::of).toList();
    }

    @GetMapping("/requests/{id}")
    AgreementJson one(@PathVariable UUID id, Authentication auth) {
        return agreements.agreement(scope(auth), id).map(AgreementJson::of).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    }

    @Operation(summary = "File a request on a supplier's behalf (the supplier of the product)")
    @PostMapping("/requests")
    @ResponseStatus(HttpStatus.CREATED)
    AgreementJson file(@RequestBody FileJson body, Authentication auth) {
        if (body.productId() == null || body.scopeId() == null || body.attributePackage() == null || body.retentionDays() == null) {
            throw new DataAccessRefused("productId, scopeId, attributePackage and retentionDays are required.");
        }
        UUID supplier = catalog.product(body.productId()).orElseThrow(() -> new DataAccessRefused("No product with id " + body.productId() + ".")).supplierId();
        return AgreementJson.of(agreements.file(scope(auth), supplier, new NewDataAccessRequest(body.productId(), body.scopeId(), body.attributePackage(),
                body.attributes(), body.purpose(), body.legalBasis(), body.retentionDays()), auth.getName()));
    }

    @Operation(summary = "Approve a request as asked, or narrowed to the attributes given (then a reason is required)")
    @PostMapping("/requests/{id}/approve")
    AgreementJson approve(@PathVariable UUID id, @RequestBody(required = false) DecisionJson body, Authentication auth) {
        return AgreementJson.of(agreements.approve(scope(auth), id, body == null ? null : body.attributes(), body == null ? null : body.reason(), auth.getName()));
    }

    @PostMapping("/requests/{id}/decline")
    AgreementJson decline(@PathVariable UUID id, @RequestBody DecisionJson body, Authentication auth) {
        return AgreementJson.of(agreements.decline(scope(auth), id, body.reason(), auth.getName()));
    }

    @Operation(summary = "Revoke an agreement in force: every channel stops releasing under it at once")
    @PostMapping("/requests/{id}/revoke")
    AgreementJson revoke(@PathVariable UUID id, @RequestBody DecisionJson body, Authentication auth) {
        return AgreementJson.of(agreements.revoke(scope(auth), id, body.reason(), auth.getName()));
    }

    @Operation(summary = "Record a person's objection (opt-out) towards one supplier, or all when supplierId is absent")
    @PostMapping("/objections")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, UUID> object(@RequestBody ObjectionJson body, Authentication auth) {
        requireWithin(body.personId(), auth);
        return Map.of("id", objections.record(body.personId(), body.supplierId(), body.reason(), auth.getName()));
    }

    @Operation(summary = "Which attributes the release policy would release about a person for a product now (names only; nothing is released)")
    @GetMapping("/persons/{personId}/products/{productId}/permitted")
    ReleasePolicy.Permission permitted(@PathVariable UUID personId, @PathVariable UUID productId, Authentication auth) {
        requireWithin(personId, auth);
        return policy.permitted(personId, productId);
    }

    private CallerScope scope(Authentication auth) {
        return scopes.of(auth, AdminRight.ACCESS_ADMIN);
    }

    /**
     * A person outside the caller's scope is not found, whether or not they exist (the directory's one rule for "a person
     * within scope"); checked before anything else about the request, so no other answer tells them apart.
     */
    private void requireWithin(UUID personId, Authentication auth) {
        CallerScope scope = scope(auth);
        if (personId != null && !scope.isWholeInstallation() && !organisations.isWithin(personId, scope)) {
            throw new NoSuchRecord("No person with id " + personId + ".");
        }
    }
}

/** A broken rule is the client's mistake, said in plain words: 422 with the rule in the detail; naming what does not exist, 404. */
@RestControllerAdvice(assignableTypes = {AccessApi.class, SupplierApi.class})
class AccessApiErrors {
    @ExceptionHandler(DataAccessRefused.class)
    ProblemDetail refused(DataAccessRefused e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT, e.getMessage());
    }

    @ExceptionHandler(NoSuchRecord.class)
    ProblemDetail notFound(NoSuchRecord e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
    }
}
