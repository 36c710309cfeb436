package org.tilldela.access.web;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.context.MessageSource;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.tilldela.access.AttributePackage;
import org.tilldela.access.DataAccessAgreement;
import org.tilldela.access.DataAccessAgreements;
import org.tilldela.access.DataAccessRefused;
import org.tilldela.access.NewDataAccessRequest;
import org.tilldela.access.SupplierClients;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogPage;
import org.tilldela.catalog.CatalogQuery;
import org.tilldela.catalog.CatalogSearch;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.CallerScope;
import org.tilldela.governance.Scopes;
import org.tilldela.platform.FormSubmissions;
import org.tilldela.platform.PickerChoice;

/** School administrators' pages for data-access requests: the list, filing one, deciding, revoking. */
@Controller
@RequestMapping("/access")
// filtered by the caller's ACCESS_ADMIN scope in DataAccessAgreements (SEEN, DECIDED); a supplier's API clients and its
// public-authority record concern every organiser, so only a grant over the whole installation changes them
@PreAuthorize("hasAuthority('RIGHT_ACCESS_ADMIN')")
class AccessPages {

    /** A supplier's API clients and public-authority record serve every organiser: not a scoped grant's to change. */
    static final String WHOLE_INSTALLATION = "hasAuthority('RIGHT_ACCESS_ADMIN') and @scopes.wholeInstallation(authentication, 'ACCESS_ADMIN')";

    private final DataAccessAgreements agreements;
    private final SupplierClients clients;
    private final Catalog catalog;
    private final CatalogSearch search;
    private final OrganisationBrowser organisations;
    private final MessageSource messages;
    private final FormSubmissions forms;
    private final Scopes scopes;

    AccessPages(DataAccessAgreements agreements, SupplierClients clients, Catalog catalog, CatalogSearch search, OrganisationBrowser organisations,
                MessageSource messages, FormSubmissions forms, Scopes scopes) {
        this.scopes = scopes;
        this.messages = messages;
        this.forms = forms;
        this.agreements = agreements;
        this.clients = clients;
        this.catalog = catalog;
        this.search = search;
        this.organisations = organisations;
    }

    /** An agreement with the names a person reads instead of ids. */
    record Row(DataAccessAgreement agreement, String supplier, String product, String articleNumber, String scope) {
    }

    record Scope(UUID id, String label) {
    }

    private CallerScope scope(Authentication auth) {
        return scopes.of(auth, AdminRight.ACCESS_ADMIN);
    }

    @GetMapping
    String index(@RequestParam(required = false) DataAccessAgreement.State state, Model model, Authentication auth) {
        CallerScope scope = scope(auth);
        DataAccessAgreement.State shown = state == null ? DataAccessAgreement.State.REQUESTED : state;
        model.addAttribute("state", shown);
        model.addAttribute("states", DataAccessAgreement.State.values());
        model.addAttribute("rows", rows(agreements.list(scope, shown, null, 500)));
        // the reminder: agreements within the caller's scope coming up for re-approval soon, or lapsed
        model.addAttribute("reapprovalsDue", agreements.countDueForReapproval(scope));
        model.addAttribute("wholeInstallation", scope.isWholeInstallation());
        return "access/index";
    }

    /**
     * The form to file a request. The supplier, its product and the organiser or school unit are picked by name
     * ({@code findSupplier}, {@code findProduct}, {@code findScope}: the words typed, htmx asking /access/pick/… as they are
     * typed, a plain search without JavaScript); what was chosen stays listed, chosen.
     */
    @GetMapping("/requests/new")
    String newRequest(@RequestParam(required = false) UUID supplier, @RequestParam(required = false) String findSupplier,
                      @RequestParam(required = false) String findProduct, @RequestParam(required = false) String findScope, Model model,
                      Authentication auth) {
        model.addAttribute("supplier", supplier);
        model.addAttribute("findSupplier", findSupplier);
        model.addAttribute("findProduct", findProduct);
        model.addAttribute("findScope", findScope);
        @SuppressWarnings("unchecked")
        Map<String, Object> form = (Map<String, Object>) model.getAttribute("form");
        model.addAttribute("supplierChoices", supplierChoices(findSupplier, supplier));
        if (supplier != null) {
            model.addAttribute("supplierName", catalog.supplier(supplier).map(Supplier::name).orElse(null));
            model.addAttribute("productChoices", productChoices(supplier, findProduct, form == null ? null : uuid(form.get("product"))));
        }
        model.addAttribute("scopeChoices", scopeChoices(scope(auth), findScope, form == null ? null : uuid(form.get("scope"))));
        model.addAttribute("packages", AttributePackage.values());
        model.addAttribute("attributes", Attribute.values());
        return "access/new";
    }

    @PostMapping("/requests")
    String file(@RequestParam UUID supplier, @RequestParam(required = false) UUID product, @RequestParam(required = false) UUID scope,
                @RequestParam AttributePackage attributePackage, @RequestParam(required = false) Set<Attribute> attributes,
                @RequestParam String purpose, @RequestParam String legalBasis, @RequestParam(defaultValue = "0") int retentionDays,
                @RequestParam(name = FormSubmissions.FIELD, required = false) String formToken,
                Authentication auth, Model model, RedirectAttributes redirect, Locale locale) {
        try {
            if (product == null || scope == null) {
                throw new DataAccessRefused("choose", "Choose a product and an organiser or school unit.");
            }
            return forms.once(formToken, auth.getName(), "access.request", () -> {
                DataAccessAgreement filed = agreements.file(scope(auth), supplier, new NewDataAccessRequest(product, scope, attributePackage, attributes, purpose,
                        legalBasis, retentionDays), auth.getName());
                redirect.addFlashAttribute("message", "access.filed");
                return "redirect:/access/requests/" + filed.id();
            });
        } catch (DataAccessRefused e) {
            model.addAttribute("error", said(e, locale));
            model.addAttribute("form", Map.of("purpose", purpose, "legalBasis", legalBasis, "retentionDays", retentionDays,
                    "product", String.valueOf(product), "scope", String.valueOf(scope), "package", attributePackage.name()));
            return newRequest(supplier, null, null, null, model, auth);
        }
    }

    @GetMapping("/requests/{id}")
    String request(@PathVariable UUID id, Model model, Authentication auth) {
        CallerScope scope = scope(auth);
        DataAccessAgreement agreement = agreements.agreement(scope, id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        // the forms to decide only where the caller may (an organiser-wide agreement seen by a grant narrowed to school forms: read-only)
        model.addAttribute("mayDecide", agreements.mayDecide(scope, id));
        model.addAttribute("row", rows(List.of(agreement)).getFirst());
        model.addAttribute("a", agreement);
        model.addAttribute("attributes", agreement.requestedAttributes().stream().sorted().toList());
        if (!model.containsAttribute("ticked")) {
            // first view: the approval form offers everything asked for
            model.addAttribute("ticked", agreement.requestedAttributes());
        }
        model.addAttribute("declared", catalog.product(agreement.productId()).map(Product::dataNeeds).orElse(List.of()));
        return "access/request";
    }

    /**
     * A refused approval (a narrowing without a reason, …) shows the form again as the user left it: the
     * ticks they chose and the reason they typed. Redirecting would tick everything again, and the next
     * click would approve all that was asked for.
     */
    @PostMapping("/requests/{id}/approve")
    String approve(@PathVariable UUID id, @RequestParam(required = false) Set<Attribute> attributes, @RequestParam(required = false) String reason,
                   @RequestParam(name = FormSubmissions.FIELD, required = false) String formToken,
                   Authentication auth, Model model, RedirectAttributes redirect, Locale locale) {
        Set<Attribute> ticked = attributes == null ? Set.of() : attributes;
        try {
            return forms.once(formToken, auth.getName(), "access.approve", () -> {
                if (ticked.isEmpty()) {
                    // on this form nothing ticked means nothing chosen, never "everything asked for" (the API's default)
                    throw new DataAccessRefused("nothingTicked", "Tick what the supplier may receive, or decline the request.");
                }
                agreements.approve(scope(auth), id, ticked, reason, auth.getName());
                redirect.addFlashAttribute("message", "access.approved");
                return "redirect:/access/requests/" + id;
            });
        } catch (DataAccessRefused e) {
            model.addAttribute("error", said(e, locale));
            model.addAttribute("ticked", ticked);
            model.addAttribute("approveReason", reason);
            return request(id, model, auth);
        }
    }

    @PostMapping("/requests/{id}/decline")
    String decline(@PathVariable UUID id, @RequestParam(required = false) String reason,
                   @RequestParam(name = FormSubmissions.FIELD, required = false) String formToken, Authentication auth, RedirectAttributes redirect,
                   Locale locale) {
        return decide(id, formToken, auth, redirect, locale, "access.declined", () -> agreements.decline(scope(auth), id, reason, auth.getName()));
    }

    @PostMapping("/requests/{id}/revoke")
    String revoke(@PathVariable UUID id, @RequestParam(required = false) String reason,
                  @RequestParam(name = FormSubmissions.FIELD, required = false) String formToken, Authentication auth, RedirectAttributes redirect,
                  Locale locale) {
        return decide(id, formToken, auth, redirect, locale, "access.revoked", () -> agreements.revoke(scope(auth), id, reason, auth.getName()));
    }

    @GetMapping("/suppliers/{id}")
    String supplier(@PathVariable UUID id, Model model, Authentication auth) {
        CallerScope scope = scope(auth);
        Supplier supplier = catalog.supplier(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        model.addAttribute("supplier", supplier);
        model.addAttribute("publicAuthority", agreements.isPublicAuthority(id));
        model.addAttribute("wholeInstallation", scope.isWholeInstallation());
        model.addAttribute("clients", scope.isWholeInstallation() ? clients.ofSupplier(id) : List.of());
        model.addAttribute("rows", rows(agreements.list(scope, null, id, 200)));
        return "access/supplier";
    }

    /**
     * The secret travels to the next page as a plain string in the flash attributes: they live in the
     * session, which lives in PostgreSQL, so whatever goes there must be serializable (a record of ours is
     * not). The secret is shown once, on that page, and kept nowhere else.
     */
    @PostMapping("/suppliers/{id}/clients")
    @PreAuthorize(WHOLE_INSTALLATION)
    String createClient(@PathVariable UUID id, @RequestParam(name = FormSubmissions.FIELD, required = false) String formToken, Authentication auth,
                        RedirectAttributes redirect) {
        catalog.supplier(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        return forms.once(formToken, auth.getName(), "access.client", () -> {
            SupplierClients.Credentials credentials = clients.create(id, auth.getName());
            redirect.addFlashAttribute("clientId", credentials.clientId());
            redirect.addFlashAttribute("clientSecret", credentials.secret());
            return "redirect:/access/suppliers/" + id;
        });
    }

    @PostMapping("/suppliers/{id}/public-authority")
    @PreAuthorize(WHOLE_INSTALLATION)
    String publicAuthority(@PathVariable UUID id, @RequestParam(required = false) String reason, Authentication auth, RedirectAttributes redirect,
                           Locale locale) {
        try {
            agreements.recordPublicAuthority(id, reason, auth.getName());
        } catch (DataAccessRefused e) {
            redirect.addFlashAttribute("error", said(e, locale));
        }
        return "redirect:/access/suppliers/" + id;
    }

    private String decide(UUID id, String formToken, Authentication auth, RedirectAttributes redirect, Locale locale, String message, Runnable decision) {
        try {
            return forms.once(formToken, auth.getName(), message, () -> {
                decision.run();
                redirect.addFlashAttribute("message", message);
                return "redirect:/access/requests/" + id;
            });
        } catch (DataAccessRefused e) {
            redirect.addFlashAttribute("error", said(e, locale));
            return "redirect:/access/requests/" + id;
        }
    }

    /** A request outside the caller's scope: answered as if there were none, so the answer tells nothing about it. */
    @org.springframework.web.bind.annotation.ExceptionHandler(org.tilldela.access.NoSuchRecord.class)
    void notFound(jakarta.servlet.http.HttpServletResponse response) throws java.io.IOException {
        response.sendError(HttpStatus.NOT_FOUND.value());
    }

    /** The broken rule in the reader's language; the English message where there is no translation. */
    private String said(DataAccessRefused e, Locale locale) {
        return e.code() == null ? e.getMessage() : messages.getMessage("access.refused." + e.code(), e.args(), e.getMessage(), locale);
    }

    /** A picker's choices for the words typed so far, for htmx to put into the form. */
    @GetMapping("/pick/{picker}")
    String pick(@PathVariable String picker, @RequestParam(required = false) UUID supplier, @RequestParam(required = false) String findSupplier,
                @RequestParam(required = false) String findProduct, @RequestParam(required = false) String findScope, Model model,
                Authentication auth) {
        switch (picker) {
            case "suppliers" -> {
                model.addAttribute("pickerName", "supplier");
                model.addAttribute("pickerChoices", supplierChoices(findSupplier, null));
            }
            case "products" -> {
                if (supplier == null) {
                    throw new ResponseStatusException(HttpStatus.BAD_REQUEST);
                }
                model.addAttribute("pickerName", "product");
                model.addAttribute("pickerChoices", productChoices(supplier, findProduct, null));
            }
            case "scopes" -> {
                model.addAttribute("pickerName", "scope");
                model.addAttribute("pickerChoices", scopeChoices(scope(auth), findScope, null));
            }
            default -> throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        return "pickers :: pick";
    }

    /** Suppliers whose name holds the words (case and accents aside), the chosen one first; null while too few letters are typed. */
    private List<PickerChoice> supplierChoices(String words, UUID chosen) {
        List<PickerChoice> out = new ArrayList<>();
        if (chosen != null) {
            catalog.supplier(chosen).ifPresent(s -> out.add(new PickerChoice(s.id().toString(), s.name(), s.organisationNumber(), true)));
        }
        if (!PickerChoice.enough(words)) {
            return out.isEmpty() ? null : out;
        }
        String folded = fold(words);
        catalog.allSuppliers().stream().filter(s -> !s.id().equals(chosen) && fold(s.name()).contains(folded)).limit(PickerChoice.LIMIT)
                .forEach(s -> out.add(new PickerChoice(s.id().toString(), s.name(), s.organisationNumber(), false)));
        return out;
    }

    /** The supplier's digital products by title or article number (without words: its first few), the chosen one first. */
    private List<PickerChoice> productChoices(UUID supplier, String words, UUID chosen) {
        List<PickerChoice> out = new ArrayList<>();
        if (chosen != null) {
            catalog.product(chosen).filter(p -> p.supplierId().equals(supplier))
                    .ifPresent(p -> out.add(new PickerChoice(p.id().toString(), p.title(), p.articleNumber(), true)));
        }
        CatalogPage page = search.search(new CatalogQuery(PickerChoice.enough(words) ? words.strip() : "", EnumSet.of(Product.Kind.DIGITAL,
                Product.Kind.BUNDLE), null, null, Set.of(supplier), null, 1, PickerChoice.LIMIT));
        page.hits().stream().filter(h -> !h.id().equals(chosen))
                .forEach(h -> out.add(new PickerChoice(h.id().toString(), h.title(), h.articleNumber(), false)));
        return out;
    }

    /**
     * Organisers and school units by name (without words: the tops of the caller's scope), the chosen one first: only those the
     * caller may file a request for ({@link DataAccessAgreements#mayFileFor}), so a school's administrator is never offered
     * another school, nor the organiser above their own.
     */
    private List<PickerChoice> scopeChoices(CallerScope scope, String words, UUID chosen) {
        List<PickerChoice> out = new ArrayList<>();
        if (chosen != null && agreements.mayFileFor(scope, List.of(chosen)).contains(chosen)) {
            List<OrganisationBrowser.UnitName> trail = organisations.ancestry(chosen);
            if (!trail.isEmpty()) {
                out.add(new PickerChoice(chosen.toString(), trail.getLast().name(), trail.size() > 1 ? trail.getFirst().name() : null, true));
            }
        }
        List<OrganisationBrowser.Pickable> found = PickerChoice.enough(words)
                ? organisations.pickable(words, scope, false, PickerChoice.LIMIT)
                : organisations.roots(scope).stream().limit(PickerChoice.LIMIT)
                        .map(o -> new OrganisationBrowser.Pickable(o.id(), o.name(), o.kind(), o.schoolUnitCode() != null ? o.schoolUnitCode() : o.municipalityCode(), null))
                        .toList();
        java.util.Set<UUID> allowed = agreements.mayFileFor(scope, found.stream().map(OrganisationBrowser.Pickable::id).toList());
        // organisers of the same name (a Bollnäs in each of two sources) are told apart by their codes
        found.stream().filter(o -> !o.id().equals(chosen) && allowed.contains(o.id())).forEach(o -> out.add(new PickerChoice(o.id().toString(), o.name(),
                messages.getMessage("kind." + o.kind(), null, o.kind(), org.springframework.context.i18n.LocaleContextHolder.getLocale())
                        + (o.code() != null ? " " + o.code() : ""), false)));
        return out;
    }

    private static String fold(String s) {
        return java.text.Normalizer.normalize(s.strip().toLowerCase(Locale.ROOT), java.text.Normalizer.Form.NFD).replaceAll("\\p{M}", "");
    }

    private static UUID uuid(Object o) {
        try {
            return o == null ? null : UUID.fromString(o.toString());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private List<Row> rows(List<DataAccessAgreement> list) {
        Map<UUID, Supplier> suppliers = catalog.suppliers(list.stream().map(DataAccessAgreement::supplierId).distinct().toList()).stream()
                .collect(Collectors.toMap(Supplier::id, Function.identity()));
        Map<UUID, Product> products = catalog.products(list.stream().map(DataAccessAgreement::productId).distinct().toList()).stream()
                .collect(Collectors.toMap(Product::id, Function.identity()));
        Map<UUID, String> scopeNames = list.stream().map(DataAccessAgreement::scopeId).distinct()
                .collect(Collectors.toMap(Function.identity(), s -> organisations.organisation(s).map(OrganisationBrowser.Organisation::name).orElse("?")));
        return list.stream().map(a -> new Row(a, suppliers.containsKey(a.supplierId()) ? suppliers.get(a.supplierId()).name() : "?",
                products.containsKey(a.productId()) ? products.get(a.productId()).title() : "?",
                products.containsKey(a.productId()) ? products.get(a.productId()).articleNumber() : "", scopeNames.get(a.scopeId()))).toList();
    }
}
