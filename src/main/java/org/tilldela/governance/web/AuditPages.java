package org.tilldela.governance.web;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.AuditTrail;
import org.tilldela.governance.CallerScope;
import org.tilldela.governance.Scopes;
import org.tilldela.platform.CsvExport;

/**
 * Audit trail search for the AUDITOR and the data protection officer: who did what, when, to which record, within
 * the scopes of those rights ({@link AuditTrail#search}), in pages of 50 and as CSV. Read-only, and nothing beyond
 * what the trail itself holds (ids, never a directory record).
 */
@Controller
@PreAuthorize("hasAnyAuthority('RIGHT_AUDITOR', 'RIGHT_DATA_PROTECTION_OFFICER')")
@RequestMapping("/admin/audit")
class AuditPages {

    static final int PAGE_SIZE = 50;
    static final int CSV_ROWS = 10_000;

    private final AuditTrail audit;
    private final Scopes scopes;

    AuditPages(AuditTrail audit, Scopes scopes) {
        this.audit = audit;
        this.scopes = scopes;
    }

    private List<CallerScope> scopes(Authentication auth) {
        return List.of(scopes.of(auth, AdminRight.AUDITOR), scopes.of(auth, AdminRight.DATA_PROTECTION_OFFICER));
    }

    private static AuditTrail.Search search(String actor, String action, String targetType, String targetId, LocalDate from, LocalDate to) {
        // dates are days in UTC, both inclusive
        return new AuditTrail.Search(actor, action, targetType, targetId, from == null ? null : from.atStartOfDay(ZoneOffset.UTC).toInstant(),
                to == null ? null : to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    @GetMapping
    String search(@RequestParam(required = false) String actor, @RequestParam(required = false) String action,
                  @RequestParam(required = false) String targetType, @RequestParam(required = false) String targetId,
                  @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
                  @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
                  @RequestParam(defaultValue = "0") int page, Model model, Authentication auth) {
        // within scope too: the picker lists only what the search can find
        AuditTrail.Searched found = audit.searchWithActions(search(actor, action, targetType, targetId, from, to), scopes(auth), Math.max(0, page), PAGE_SIZE);
        model.addAttribute("result", found.page());
        model.addAttribute("actions", found.actions());
        model.addAttribute("actor", actor);
        model.addAttribute("action", action);
        model.addAttribute("targetType", targetType);
        model.addAttribute("targetId", targetId);
        model.addAttribute("from", from);
        model.addAttribute("to", to);
        // the search as a query string (blank parts left out), for the pages' and the CSV's links
        var query = org.springframework.web.util.UriComponentsBuilder.newInstance();
        java.util.Map.of("actor", actor == null ? "" : actor, "action", action == null ? "" : action, "targetType", targetType == null ? "" : targetType,
                        "targetId", targetId == null ? "" : targetId, "from", from == null ? "" : from.toString(), "to", to == null ? "" : to.toString())
                .entrySet().stream().filter(e -> !e.getValue().isBlank()).sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> query.queryParam(e.getKey(), e.getValue()));
        String q = query.encode().build().getQuery();
        model.addAttribute("query", q == null ? "" : q);
        return "governance/audit";
    }

    @GetMapping(value = "/audit.csv", produces = "text/csv")
    ResponseEntity<byte[]> csv(@RequestParam(required = false) String actor, @RequestParam(required = false) String action,
                               @RequestParam(required = false) String targetType, @RequestParam(required = false) String targetId,
                               @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
                               @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to, Authentication auth) {
        AuditTrail.EventPage result = audit.search(search(actor, action, targetType, targetId, from, to), scopes(auth), 0, CSV_ROWS);
        List<List<Object>> rows = result.events().stream().<List<Object>>map(e -> java.util.Arrays.asList(e.id(), e.occurredAt().toString(), e.actor(),
                e.action(), e.targetType(), e.targetId(), e.detail())).toList();
        // the trail names persons by id and who looked at them: taking it away is recorded too (which filters, how many rows)
        java.util.Map<String, Object> detail = new java.util.LinkedHashMap<>();
        detail.put("rows", rows.size());
        detail.put("filters", java.util.stream.Stream.of(actor == null || actor.isBlank() ? null : "actor", action == null || action.isBlank() ? null : "action",
                targetType == null || targetType.isBlank() ? null : "targetType", targetId == null || targetId.isBlank() ? null : "targetId",
                from == null ? null : "from", to == null ? null : "to").filter(java.util.Objects::nonNull).toList());
        audit.record(auth.getName(), "EXPORT_AUDIT_TRAIL", "audit_trail", null, detail);
        return CsvExport.download("audit-trail.csv", CsvExport.of(List.of("id", "occurred_at", "actor", "action", "target_type", "target_id", "detail"), rows));
    }
}
