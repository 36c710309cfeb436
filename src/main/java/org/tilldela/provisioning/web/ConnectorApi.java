package org.tilldela.provisioning.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.tilldela.provisioning.Connector;
import org.tilldela.provisioning.Connectors;
import org.tilldela.provisioning.DeadLetters;
import org.tilldela.provisioning.Reconciliation;
import org.tilldela.provisioning.ReconciliationPlan;

/**
 * SCIM connectors and their dead letters, for the school administrator who decides what reaches suppliers
 * (right ACCESS_ADMIN, as for data-access agreements: a connector is how an agreement's data actually travels).
 * Every change is audited; secrets are taken, never shown.
 */
@RestController
@RequestMapping("/api/v1/provisioning/connectors")
// not filtered by scope yet (issue 11): only a grant over the whole installation may use it
@PreAuthorize("hasAuthority('RIGHT_ACCESS_ADMIN') and @scopes.wholeInstallation(authentication, 'ACCESS_ADMIN')")
@Tag(name = "Provisioning", description = "SCIM 2.0 push to suppliers: connectors, queue and dead letters")
class ConnectorApi {

    private final Connectors connectors;
    private final DeadLetters deadLetters;
    private final Reconciliation reconciliation;

    ConnectorApi(Connectors connectors, DeadLetters deadLetters, Reconciliation reconciliation) {
        this.connectors = connectors;
        this.deadLetters = deadLetters;
        this.reconciliation = reconciliation;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Set up a connector to a supplier's SCIM service for some of its products (secrets stored encrypted, never shown "
            + "again; every current licence holder of those products is queued; audited)")
    Connector create(@RequestBody Connector.Settings body, Authentication admin) {
        return connectors.create(body, admin.getName());
    }

    @GetMapping
    @Operation(summary = "Every connector with its queue, dead letters, last success and last error (never a secret)")
    List<Connector> all() {
        return connectors.all();
    }

    @GetMapping("/{id}")
    @Operation(summary = "One connector")
    ResponseEntity<Connector> one(@PathVariable UUID id) {
        return ResponseEntity.of(connectors.get(id));
    }

    @PutMapping("/{id}")
    @Operation(summary = "Change a connector (leave bearerToken / clientSecret out to keep the stored one; audited)")
    Connector change(@PathVariable UUID id, @RequestBody Connector.Settings body, Authentication admin) {
        return connectors.change(id, body, admin.getName());
    }

    @PostMapping("/{id}/pause")
    @Operation(summary = "Pause: nothing is sent, operations wait (audited)")
    Connector pause(@PathVariable UUID id, Authentication admin) {
        return connectors.setEnabled(id, false, admin.getName());
    }

    @PostMapping("/{id}/resume")
    @Operation(summary = "Resume a paused connector (audited)")
    Connector resume(@PathVariable UUID id, Authentication admin) {
        return connectors.setEnabled(id, true, admin.getName());
    }

    @PostMapping("/{id}/orders/{order}/send-again")
    @Operation(summary = "BOL: send an order again that did not reach the publisher (refused, or out of attempts; audited)")
    ResponseEntity<Void> sendOrderAgain(@PathVariable UUID id, @PathVariable UUID order, Authentication admin) {
        return connectors.sendOrderAgain(id, order, admin.getName()) ? ResponseEntity.accepted().build() : ResponseEntity.notFound().build();
    }

    @PostMapping("/{id}/statistics")
    @Operation(summary = "BOL: fetch the publisher's licence figures now (per user where it offers it, else per school unit) for the "
            + "utilisation page (audited)")
    Connectors.StatisticsFetched fetchStatistics(@PathVariable UUID id, Authentication admin) {
        try {
            return connectors.fetchStatistics(id, admin.getName());
        } catch (jakarta.ws.rs.ProcessingException e) {
            // the publisher's own words may name a pupil: neither answered nor logged (Tomcat logged the whole exception)
            throw new org.springframework.web.server.ResponseStatusException(org.springframework.http.HttpStatus.BAD_GATEWAY,
                    "the publisher did not give its figures");
        }
    }

    @PostMapping("/{id}/release-brake")
    @Operation(summary = "Send the deactivations and deletions the connector's deletion brake holds (audited)")
    Connector releaseBrake(@PathVariable UUID id, Authentication admin) {
        return connectors.releaseBrake(id, admin.getName());
    }

    @PostMapping("/{id}/discard-held")
    @Operation(summary = "Do not send the deactivations and deletions the connector's deletion brake holds (audited)")
    Connector discardHeld(@PathVariable UUID id, Authentication admin) {
        return connectors.discardHeld(id, admin.getName());
    }

    @GetMapping("/{id}/reconciliation")
    @Operation(summary = "Dry run of a reconciliation: the supplier's accounts and groups compared with what it should have, and the plan that "
            + "would fix the drift (nothing is sent or queued; audited)")
    ReconciliationPlan plan(@PathVariable UUID id, Authentication admin) {
        return reconciliation.reconcile(id, true, admin.getName());
    }

    @PostMapping("/{id}/reconciliation")
    @Operation(summary = "Reconcile now: with dryRun=true as the GET; otherwise the plan is queued as ordinary operations (the deletion brake "
            + "holds too many deactivations; accounts Tilldela did not make are listed, never touched; audited)")
    ReconciliationPlan reconcile(@PathVariable UUID id, @RequestParam(defaultValue = "false") boolean dryRun, Authentication admin) {
        return reconciliation.reconcile(id, dryRun, admin.getName());
    }

    @GetMapping("/{id}/dead-letters")
    @Operation(summary = "Operations that failed every attempt or were refused, with the supplier's error text")
    List<DeadLetters.DeadLetter> deadLetters(@PathVariable UUID id, @RequestParam(defaultValue = "200") int limit) {
        connectors.get(id).orElseThrow(() -> new Connectors.NoSuchConnector(id));
        return deadLetters.of(id, Math.max(1, Math.min(limit, 1000)));
    }

    @PostMapping("/{id}/dead-letters/{operation}/replay")
    @Operation(summary = "Replay one dead letter: a new operation made from the person's state today is queued, the old one is marked "
            + "REPLAYED (audited)")
    ResponseEntity<Void> replay(@PathVariable UUID id, @PathVariable long operation, Authentication admin) {
        return deadLetters.replay(id, operation, admin.getName()) ? ResponseEntity.accepted().build() : ResponseEntity.notFound().build();
    }

    @PostMapping("/{id}/dead-letters/replay")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Replay every dead letter of the connector, each as a new operation from the person's state today (audited); answers how many")
    Map<String, Integer> replayAll(@PathVariable UUID id, Authentication admin) {
        connectors.get(id).orElseThrow(() -> new Connectors.NoSuchConnector(id));
        return Map.of("replayed", deadLetters.replayAll(id, admin.getName()));
    }

    @ExceptionHandler(Connectors.NoSuchConnector.class)
    ProblemDetail notFound(Connectors.NoSuchConnector e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
    }

    @ExceptionHandler(Reconciliation.Unreachable.class)
    ProblemDetail unreachable(Reconciliation.Unreachable e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_GATEWAY, e.getMessage());
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail refused(IllegalArgumentException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    }
}
