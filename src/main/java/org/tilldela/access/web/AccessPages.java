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
import org.tilldela.platform.FormSubmissions;

/** School administrators' pages for data-access requests: the list, filing one, deciding, revoking. */
@Controller
@RequestMapping("/access")
// not filtered by scope yet (issue 11): only a grant over the whole installation may use it
@PreAuthorize("hasAuthority('RIGHT_ACCESS_ADMIN') and @scopes.wholeInstallation(authentication, 'ACCESS_ADMIN')")
class AccessPages {

    private final DataAccessAgreements agreements;
    private final SupplierClients clients;
    private final Catalog catalog;
    private final CatalogSearch search;
    private final OrganisationBrowser organisations;
    private final MessageSource messages;
    private final FormSubmissions forms;

    AccessPages(DataAccessAgreements agreements, SupplierClients clients, Catalog catalog, CatalogSearch search, OrganisationBrowser organisations,
                MessageSource messages, FormSubmissions forms) {
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

    @GetMapping
    String index(@RequestParam(required = false) DataAccessAgreement.State state, Model model) {
        DataAccessAgreement.State shown = state == null ? DataAccessAgreement.State.REQUESTED : state;
        model.addAttribute("state", shown);
        model.addAttribute("states", DataAccessAgreement.State.values());
        model.addAttribute("rows", rows(agreements.list(shown, null, 500)));
        return "access/index";
    }

    @GetMapping("/requests/new")
    String newRequest(@RequestParam(required = false) UUID supplier, Model model) {
        model.addAttribute("suppliers", catalog.allSuppliers());
        model.addAttribute("supplier", supplier);
        if (supplier != null) {
            CatalogPage page = search.search(new CatalogQuery("", EnumSet.of(Product.Kind.DIGITAL, Product.Kind.BUNDLE), null, null, Set.of(supplier),
                    null, 1, CatalogQuery.MAX_PAGE_SIZE));
            model.addAttribute("products", page.hits());
        }
        model.addAttribute("scopes", scopes());
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
                DataAccessAgreement filed = agreements.file(supplier, new NewDataAccessRequest(product, scope, attributePackage, attributes, purpose,
                        legalBasis, retentionDays), auth.getName());
                redirect.addFlashAttribute("message", "access.filed");
                return "redirect:/access/requests/" + filed.id();
            });
        } catch (DataAccessRefused e) {
            model.addAttribute("error", said(e, locale));
            model.addAttribute("form", Map.of("purpose", purpose, "legalBasis", legalBasis, "retentionDays", retentionDays,
                    "product", String.valueOf(product), "scope", String.valueOf(scope), "package", attributePackage.name()));
            return newRequest(supplier, model);
        }
    }

    @GetMapping("/requests/{id}")
    String request(@PathVariable UUID id, Model model) {
        DataAccessAgreement agreement = agreements.agreement(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
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
                agreements.approve(id, ticked, reason, auth.getName());
                redirect.addFlashAttribute("message", "access.approved");
                return "redirect:/access/requests/" + id;
            });
        } catch (DataAccessRefused e) {
            model.addAttribute("error", said(e, locale));
            model.addAttribute("ticked", ticked);
            model.addAttribute("approveReason", reason);
            return request(id, model);
        }
    }

    @PostMapping("/requests/{id}/decline")
    String decline(@PathVariable UUID id, @RequestParam(required = false) String reason,
                   @RequestParam(name = FormSubmissions.FIELD, required = false) String formToken, Authentication auth, RedirectAttributes redirect,
                   Locale locale) {
        return decide(id, formToken, auth, redirect, locale, "access.declined", () -> agreements.decline(id, reason, auth.getName()));
    }

    @PostMapping("/requests/{id}/revoke")
    String revoke(@PathVariable UUID id, @RequestParam(required = false) String reason,
                  @RequestParam(name = FormSubmissions.FIELD, required = false) String formToken, Authentication auth, RedirectAttributes redirect,
                  Locale locale) {
        return decide(id, formToken, auth, redirect, locale, "access.revoked", () -> agreements.revoke(id, reason, auth.getName()));
    }

    @GetMapping("/suppliers/{id}")
    String supplier(@PathVariable UUID id, Model model) {
        Supplier supplier = catalog.supplier(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        model.addAttribute("supplier", supplier);
        model.addAttribute("publicAuthority", agreements.isPublicAuthority(id));
        model.addAttribute("clients", clients.ofSupplier(id));
        model.addAttribute("rows", rows(agreements.list(null, id, 200)));
        return "access/supplier";
    }

    /**
     * The secret travels to the next page as a plain string in the flash attributes: they live in the
     * session, which lives in PostgreSQL, so whatever goes there must be serializable (a record of ours is
     * not). The secret is shown once, on that page, and kept nowhere else.
     */
    @PostMapping("/suppliers/{id}/clients")
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

    /** The broken rule in the reader's language; the English message where there is no translation. */
    private String said(DataAccessRefused e, Locale locale) {
        return e.code() == null ? e.getMessage() : messages.getMessage("access.refused." + e.code(), e.args(), e.getMessage(), locale);
    }

    private List<Scope> scopes() {
        List<Scope> scopes = new ArrayList<>();
        for (OrganisationBrowser.Organisation root : organisations.roots()) {
            scopes.add(new Scope(root.id(), root.name()));
            for (OrganisationBrowser.Organisation child : organisations.children(root.id())) {
                if ("SCHOOL_UNIT".equals(child.kind())) {
                    scopes.add(new Scope(child.id(), root.name() + " › " + child.name()));
                }
            }
        }
        return scopes;
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
