package org.tilldela.desk.web;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Supplier;
import org.tilldela.desk.Breaches;
import org.tilldela.platform.CsvExport;

/**
 * Breach support on the desk: the incidents within the caller's scope and a form to record one; an incident's page
 * with the 72-hour clock, who is affected (the ledger) and a draft notification in sv/da/en; the affected as CSV.
 * An incident outside the caller's scope answers 404.
 */
@Controller
@PreAuthorize("hasAuthority('RIGHT_DATA_PROTECTION_OFFICER') or @scopes.wholeInstallation(authentication, 'ACCOUNT_ADMIN')")
class BreachPages {

    static final int SHOWN = 500;
    private static final List<String> LANGUAGES = List.of("sv", "da", "en");

    private final Breaches breaches;
    private final Catalog catalog;

    BreachPages(Breaches breaches, Catalog catalog) {
        this.breaches = breaches;
        this.catalog = catalog;
    }

    @GetMapping("/dpo/breaches")
    String list(Model model, Authentication auth) {
        Map<UUID, String> names = catalog.allSuppliers().stream().collect(Collectors.toMap(Supplier::id, Supplier::name));
        model.addAttribute("incidents", breaches.visibleTo(auth));
        model.addAttribute("supplierNames", names);
        model.addAttribute("suppliers", catalog.allSuppliers().stream().sorted(Comparator.comparing(s -> s.name().toLowerCase(Locale.ROOT))).toList());
        // the times listed and the form's in the organiser's zone, named on the page
        model.addAttribute("zone", breaches.zone(auth));
        return "desk/breaches";
    }

    @PostMapping("/dpo/breaches")
    String record(@RequestParam(defaultValue = "") String discoveredAt, @RequestParam(defaultValue = "") String periodFrom,
                  @RequestParam(defaultValue = "") String periodTo, @RequestParam(required = false) Set<UUID> suppliers,
                  @RequestParam(defaultValue = "") String description, Authentication auth, RedirectAttributes flash) {
        try {
            ZoneId zone = breaches.zone(auth);
            Breaches.Incident incident = breaches.record(auth, time(discoveredAt, zone), time(periodFrom, zone), time(periodTo, zone), suppliers, description);
            flash.addFlashAttribute("message", "gov2.breach.recorded");
            return "redirect:/dpo/breaches/" + incident.id();
        } catch (IllegalArgumentException | DateTimeParseException e) {
            flash.addFlashAttribute("error", "gov2.breach.invalid");
            return "redirect:/dpo/breaches";
        }
    }

    /** A time as typed (a datetime-local field) in the organiser's zone, not the server's. */
    private static Instant time(String local, ZoneId zone) {
        return local.isBlank() ? null : LocalDateTime.parse(local).atZone(zone).toInstant();
    }

    @GetMapping("/dpo/breaches/{id}")
    String incident(@PathVariable long id, @RequestParam(required = false) String draft, Model model, Authentication auth, Locale locale) {
        Breaches.Incident incident = breaches.incident(auth, id).orElseThrow(BreachPages::notFound);
        Breaches.Affected affected = breaches.affected(auth, incident);
        String language = draft != null && LANGUAGES.contains(draft) ? draft : LANGUAGES.contains(locale.getLanguage()) ? locale.getLanguage() : "en";
        Map<UUID, String> names = catalog.suppliers(incident.suppliers()).stream().collect(Collectors.toMap(Supplier::id, Supplier::name));
        model.addAttribute("incident", incident);
        model.addAttribute("zone", breaches.zone(incident));
        model.addAttribute("countdown", breaches.countdown(incident));
        model.addAttribute("affected", affected);
        model.addAttribute("shown", affected.holdings().stream().limit(SHOWN).toList());
        model.addAttribute("maxShown", SHOWN);
        model.addAttribute("supplierNames", names);
        model.addAttribute("draftLanguage", language);
        model.addAttribute("languages", LANGUAGES);
        model.addAttribute("draft", breaches.draft(incident, affected, Locale.of(language)));
        return "desk/breach";
    }

    @GetMapping("/dpo/breaches/{id}/affected.csv")
    ResponseEntity<byte[]> affected(@PathVariable long id, Authentication auth) {
        Breaches.Incident incident = breaches.incident(auth, id).orElseThrow(BreachPages::notFound);
        Map<UUID, String> names = catalog.suppliers(incident.suppliers()).stream().collect(Collectors.toMap(Supplier::id, Supplier::name));
        List<List<Object>> rows = breaches.affected(auth, incident).holdings().stream().<List<Object>>map(h -> List.of(h.personId().toString(),
                names.getOrDefault(h.supplierId(), h.supplierId().toString()), h.productId().toString(), String.join(" ", h.attributes()),
                h.firstDisclosedAt().toString(), h.lastDisclosedAt().toString(), h.deletionState().name())).toList();
        return CsvExport.download("breach-" + id + "-affected.csv", CsvExport.of(List.of("person", "supplier", "product", "attributes",
                "first_disclosed_at", "last_disclosed_at", "deletion_state"), rows));
    }

    private static ResponseStatusException notFound() {
        return new ResponseStatusException(HttpStatus.NOT_FOUND);
    }
}
