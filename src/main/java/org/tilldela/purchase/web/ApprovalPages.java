package org.tilldela.purchase.web;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpStatus;
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
import org.tilldela.catalog.Attribute;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.directory.UnitPicker;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.CallerScope;
import org.tilldela.governance.Scopes;
import org.tilldela.platform.FormSubmissions;
import org.tilldela.purchase.AdequacyEntry;
import org.tilldela.purchase.AdequacyList;
import org.tilldela.purchase.DataPolicies;
import org.tilldela.purchase.DataPolicy;
import org.tilldela.purchase.NotInScope;
import org.tilldela.purchase.Order;
import org.tilldela.purchase.Orders;
import org.tilldela.purchase.Recipients;

/**
 * The data protection officer's pages in purchase: orders held because their data needs go beyond the
 * organiser's policy (approve, or decline saying why), the list of countries with an adequacy decision,
 * and each organiser's data policy.
 */
@Controller
// held orders filtered by the caller's DATA_PROTECTION_OFFICER scope in Orders (SEEN, DECIDED); the adequacy list and the
// data policies concern every organiser (the adequacy list) or are not filtered by scope yet (policies): whole installation only
@PreAuthorize("hasAuthority('RIGHT_DATA_PROTECTION_OFFICER')")
class ApprovalPages {

    static final String WHOLE_INSTALLATION = "hasAuthority('RIGHT_DATA_PROTECTION_OFFICER') and @scopes.wholeInstallation(authentication, 'DATA_PROTECTION_OFFICER')";

    private final Orders orders;
    private final AdequacyList adequacy;
    private final DataPolicies policies;
    private final OrganisationBrowser organisations;
    private final Recipients recipients;
    private final Wording words;
    private final FormSubmissions forms;
    private final UnitPicker unitPicker;

    private final Scopes scopes;

    ApprovalPages(Orders orders, AdequacyList adequacy, DataPolicies policies, OrganisationBrowser organisations, Recipients recipients, Wording words,
                  FormSubmissions forms, UnitPicker unitPicker, Scopes scopes) {
        this.scopes = scopes;
        this.unitPicker = unitPicker;
        this.forms = forms;
        this.orders = orders;
        this.adequacy = adequacy;
        this.policies = policies;
        this.organisations = organisations;
        this.recipients = recipients;
        this.words = words;
    }

    /**
     * {@code unit}: the unit the order is for (a school, or the organiser itself), so an organiser's officer tells its schools'
     * orders apart; names only, null for a unit no longer in the directory.
     */
    record ApprovalView(Order order, String organiser, String unit, String attributes) {
    }

    private CallerScope scope(Authentication auth) {
        return scopes.of(auth, AdminRight.DATA_PROTECTION_OFFICER);
    }

    @GetMapping("/purchase/approvals")
    String approvals(Model model, Authentication auth, Locale locale) {
        CallerScope scope = scope(auth);
        model.addAttribute("pending", orders.awaitingApproval(scope).stream().map(o -> view(o, locale)).toList());
        model.addAttribute("decided", orders.decided(scope, 50).stream().map(o -> view(o, locale)).toList());
        return "purchase/approvals";
    }

    private ApprovalView view(Order o, Locale locale) {
        return new ApprovalView(o, name(o.organiserId()), name(o.scopeId()), o.approval() == null ? "" : words.attributes(o.approval().attributes(), locale));
    }

    /** A unit's name (the trail ends at the unit itself); null when it has left the directory: never its id on screen. */
    private String name(UUID unit) {
        List<OrganisationBrowser.UnitName> trail = unit == null ? List.of() : organisations.ancestry(unit);
        return trail.isEmpty() ? null : trail.getLast().name();
    }

    @GetMapping("/purchase/approvals/{id}")
    String approval(@PathVariable UUID id, Model model, Authentication auth, Locale locale) {
        CallerScope scope = scope(auth);
        Order order = orders.held(scope, id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        model.addAttribute("view", view(order, locale));
        // the forms to decide only where the officer may (an organiser-wide order seen by a grant narrowed to school forms: read-only)
        model.addAttribute("mayDecide", orders.mayDecide(scope, id));
        List<List<String>> lineRecipients = new ArrayList<>();
        order.lines().forEach(l -> lineRecipients.add(recipients.describe(l.recipients(), words.viewer(auth)).stream()
                .map(d -> words.recipient(d, locale)).toList()));
        model.addAttribute("lineRecipients", lineRecipients);
        model.addAttribute("policy", policies.of(order.organiserId()));
        return "purchase/approval";
    }

    @PostMapping("/purchase/approvals/{id}/approve")
    String approve(@PathVariable UUID id, @RequestParam(name = FormSubmissions.FIELD, required = false) String formToken, Authentication auth,
                   RedirectAttributes redirect) {
        // outside the officer's scope (or no such order): 404 before anything else about the request (Orders checks it again, locked)
        if (orders.held(scope(auth), id).isEmpty()) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        try {
            return forms.once(formToken, auth.getName(), "purchase.approve", () -> {
                orders.approve(scope(auth), id, auth.getName());
                redirect.addFlashAttribute("message", "purchase.approval.approved");
                return "redirect:/purchase/approvals/" + id;
            });
        } catch (NotInScope e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        } catch (Orders.NotYoursToDecide e) {
            redirect.addFlashAttribute("error", "purchase.approval.notYoursToDecide");
            return "redirect:/purchase/approvals/" + id;
        } catch (IllegalStateException | IllegalArgumentException e) {
            redirect.addFlashAttribute("errorText", e.getMessage());
            return "redirect:/purchase/approvals/" + id;
        }
    }

    @PostMapping("/purchase/approvals/{id}/decline")
    String decline(@PathVariable UUID id, @RequestParam(defaultValue = "") String reason,
                   @RequestParam(name = FormSubmissions.FIELD, required = false) String formToken, Authentication auth, RedirectAttributes redirect) {
        // outside the officer's scope (or no such order): 404 before anything else about the request, so no answer tells them apart
        if (orders.held(scope(auth), id).isEmpty()) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        if (reason.isBlank()) {
            redirect.addFlashAttribute("error", "purchase.approval.reasonRequired");
            return "redirect:/purchase/approvals/" + id;
        }
        try {
            return forms.once(formToken, auth.getName(), "purchase.decline", () -> {
                orders.decline(scope(auth), id, auth.getName(), reason);
                redirect.addFlashAttribute("message", "purchase.approval.declined");
                return "redirect:/purchase/approvals/" + id;
            });
        } catch (NotInScope e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        } catch (Orders.NotYoursToDecide e) {
            redirect.addFlashAttribute("error", "purchase.approval.notYoursToDecide");
            return "redirect:/purchase/approvals/" + id;
        } catch (IllegalStateException | IllegalArgumentException e) {
            redirect.addFlashAttribute("errorText", e.getMessage());
            return "redirect:/purchase/approvals/" + id;
        }
    }

    @GetMapping("/purchase/adequacy")
    @PreAuthorize(WHOLE_INSTALLATION)
    String adequacy(@RequestParam(required = false) String edit, Model model, java.util.Locale locale) {
        List<AdequacyEntry> entries = adequacy.all();
        model.addAttribute("entries", entries);
        // names and notes as the list was first filled in are shown in the reader's language; an officer's own words as written
        java.util.Map<String, String> names = new java.util.HashMap<>(), notes = new java.util.HashMap<>();
        for (AdequacyEntry e : entries) {
            names.put(e.country(), words.seededCountry(e.country(), e.name(), locale));
            notes.put(e.country(), words.seededNote(e.country(), e.note(), locale));
        }
        model.addAttribute("names", names);
        model.addAttribute("notes", notes);
        model.addAttribute("today", LocalDate.now());
        model.addAttribute("form", edit == null ? null : adequacy.entry(edit).orElse(null));
        model.addAttribute("bases", AdequacyEntry.Basis.values());
        return "purchase/adequacy";
    }

    @PostMapping("/purchase/adequacy")
    @PreAuthorize(WHOLE_INSTALLATION)
    String saveAdequacy(@RequestParam String country, @RequestParam String name, @RequestParam String basis, @RequestParam String decision,
                        @RequestParam(required = false) String decisionDate, @RequestParam String validFrom,
                        @RequestParam(required = false) String validUntil, @RequestParam(required = false) String note, Authentication auth,
                        RedirectAttributes redirect) {
        try {
            AdequacyEntry e = new AdequacyEntry(country, name, AdequacyEntry.Basis.valueOf(basis), decision, date(decisionDate), date(validFrom),
                    date(validUntil), note, auth.getName(), null);
            adequacy.save(e, auth.getName());
            redirect.addFlashAttribute("message", "purchase.adequacy.saved");
        } catch (IllegalArgumentException | java.time.format.DateTimeParseException | NullPointerException e) {
            redirect.addFlashAttribute("errorText", e.getMessage());
        }
        return "redirect:/purchase/adequacy";
    }

    @PostMapping("/purchase/adequacy/{country}/remove")
    @PreAuthorize(WHOLE_INSTALLATION)
    String removeAdequacy(@PathVariable String country, Authentication auth, RedirectAttributes redirect) {
        adequacy.remove(country, auth.getName());
        redirect.addFlashAttribute("message", "purchase.adequacy.removed");
        return "redirect:/purchase/adequacy";
    }

    private static LocalDate date(String s) {
        return s == null || s.isBlank() ? null : LocalDate.parse(s.strip());
    }

    /**
     * An organiser's data policy. The organiser is picked by name ({@code findOrganiser}: the words typed, htmx asking
     * /purchase/pick/organisers as they are typed, a plain search without JavaScript); without a choice, the first organiser.
     */
    @GetMapping("/purchase/policy")
    @PreAuthorize(WHOLE_INSTALLATION)
    String policy(@RequestParam(required = false) UUID organiser, @RequestParam(required = false) String findOrganiser, Model model) {
        UUID chosen = organiser;
        if (chosen == null) {
            List<OrganisationBrowser.Organisation> organisers = organisations.roots();
            chosen = organisers.isEmpty() ? null : organisers.getFirst().id();
        }
        model.addAttribute("findOrganiser", findOrganiser);
        model.addAttribute("organiserChoices", unitPicker.choices(findOrganiser, CallerScope.wholeInstallation(), true, chosen));
        model.addAttribute("chosen", chosen);
        model.addAttribute("policy", chosen == null ? null : policies.of(chosen));
        model.addAttribute("attributes", Attribute.values());
        model.addAttribute("defaults", DataPolicy.DEFAULT);
        return "purchase/policy";
    }

    /** The organiser picker's choices for the words typed so far, for htmx to put into the form. */
    @GetMapping("/purchase/pick/organisers")
    @PreAuthorize(WHOLE_INSTALLATION)
    String pickOrganiser(@RequestParam(required = false) String findOrganiser, Model model) {
        model.addAttribute("pickerName", "organiser");
        model.addAttribute("pickerChoices", unitPicker.choices(findOrganiser, CallerScope.wholeInstallation(), true, null));
        model.addAttribute("pickerRequired", true);
        return "pickers :: pick";
    }

    @PostMapping("/purchase/policy")
    @PreAuthorize(WHOLE_INSTALLATION)
    String savePolicy(@RequestParam UUID organiser, @RequestParam(required = false) List<String> allowed,
                      @RequestParam(defaultValue = "false") boolean reset, Authentication auth, RedirectAttributes redirect) {
        if (reset) {
            policies.reset(organiser, auth.getName());
        } else {
            Set<Attribute> set = EnumSet.noneOf(Attribute.class);
            if (allowed != null) {
                for (String a : allowed) {
                    try {
                        set.add(Attribute.valueOf(a));
                    } catch (IllegalArgumentException e) {
                        // not one the form offers: nothing saved, the form's own page says why
                        throw new org.springframework.web.server.ResponseStatusException(org.springframework.http.HttpStatus.BAD_REQUEST,
                                "not an attribute: " + a);
                    }
                }
            }
            policies.set(organiser, set, auth.getName());
        }
        redirect.addFlashAttribute("message", "purchase.policy.saved");
        return "redirect:/purchase/policy?organiser=" + organiser;
    }
}
