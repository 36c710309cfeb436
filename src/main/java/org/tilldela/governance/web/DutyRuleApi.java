package org.tilldela.governance.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.List;
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
import org.tilldela.governance.AdminGrants;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.DutyGrants;

/** Rights from duties over the API: the same rules as {@link DutyRulePages}. */
@RestController
@PreAuthorize("hasAuthority('RIGHT_ACCOUNT_ADMIN')")
@RequestMapping("/api/v1/duty-rules")
@Tag(name = "Rights from duties", description = "Rules that grant a right to whoever holds a duty (e.g. principal) at a unit, over that unit; "
        + "re-evaluated after every import, so leavers and movers lose what their old duty gave.")
class DutyRuleApi {

    /** {@code dutyRole}: PRINCIPAL, TEACHER, …; {@code organisation}: duties at this unit or below. */
    record NewRule(String dutyRole, AdminRight right, UUID organisation) {
    }

    private final DutyGrants dutyGrants;

    DutyRuleApi(DutyGrants dutyGrants) {
        this.dutyGrants = dutyGrants;
    }

    @GetMapping
    @Operation(summary = "The rules over units within your scope, with how many grants each gives now")
    List<DutyGrants.Rule> list(Authentication auth) {
        return dutyGrants.visibleTo(auth.getName());
    }

    @GetMapping("/{id}")
    @Operation(summary = "One rule; 404 outside your scope")
    DutyGrants.Rule rule(@PathVariable long id, Authentication auth) {
        return dutyGrants.find(auth.getName(), id);
    }

    @PostMapping
    @Operation(summary = "Makes a rule (201), in effect at once; 403 unless you could grant the right over the unit by hand")
    ResponseEntity<DutyGrants.Rule> create(@RequestBody NewRule request, Authentication auth) {
        if (request == null) {
            throw new IllegalArgumentException("A rule needs a dutyRole, a right and an organisation.");
        }
        DutyGrants.Rule rule = dutyGrants.create(auth.getName(), request.dutyRole(), request.right(), request.organisation());
        return ResponseEntity.created(URI.create("/api/v1/duty-rules/" + rule.id())).body(rule);
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Removes a rule and revokes every grant it gave (204)")
    ResponseEntity<Void> remove(@PathVariable long id, Authentication auth) {
        dutyGrants.remove(auth.getName(), id);
        return ResponseEntity.noContent().build();
    }

    @ExceptionHandler(DutyGrants.NoSuchRule.class)
    ProblemDetail notFound(DutyGrants.NoSuchRule e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "no such rule");
    }

    @ExceptionHandler(AdminGrants.GrantRefused.class)
    ProblemDetail refused(AdminGrants.GrantRefused e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, e.getMessage());
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail invalid(IllegalArgumentException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    }
}
