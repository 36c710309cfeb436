package org.tilldela.catalog.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.context.MessageSource;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogPage;
import org.tilldela.catalog.CatalogSearch;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.catalog.feed.CatalogEditor;
import org.tilldela.catalog.feed.ProductDraft;
import org.tilldela.platform.FormSubmissions;
import org.tilldela.platform.PickerChoice;

/** The catalogue in the web UI: search with facets and pages (live as you type), a product, and the product form. */
@Controller
// installation-wide (suppliers, their processing agreements with any organiser): for a grant over the whole installation only
@PreAuthorize("hasAuthority('RIGHT_CATALOG_ADMIN') and @scopes.wholeInstallation(authentication, 'CATALOG_ADMIN')")
class CatalogPages {

    private final CatalogSearch search;
    private final Catalog catalog;
    private final CatalogEditor editor;
    private final MessageSource messages;
    private final FormSubmissions forms;

    CatalogPages(CatalogSearch search, Catalog catalog, CatalogEditor editor, MessageSource messages, FormSubmissions forms) {
        this.forms = forms;
        this.search = search;
        this.catalog = catalog;
        this.editor = editor;
        this.messages = messages;
    }

    /** One facet as the page lists it: its name and the values, each with its toggle link. */
    public record FacetView(String name, String heading, List<ValueView> values) {
    }

    public record ValueView(String label, long count, boolean selected, String href) {
    }

    @GetMapping("/catalog")
    String search(@RequestParam(defaultValue = "") String q, @RequestParam(required = false) List<String> kind,
                  @RequestParam(required = false) List<String> form, @RequestParam(required = false) List<String> subject,
                  @RequestParam(required = false) List<String> supplier, @RequestParam(required = false) List<String> need,
                  @RequestParam(defaultValue = "1") int page, Model model, Locale locale,
                  @RequestHeader(value = "HX-Request", required = false) String htmx) {
        SearchParams params = new SearchParams(q, kind, form, subject, supplier, need, page, 20);
        CatalogPage result = search.search(params.toQuery());
        model.addAttribute("params", params);
        model.addAttribute("result", result);
        model.addAttribute("facets", facets(result.facets(), params, locale));
        model.addAttribute("previous", result.hasPrevious() ? params.page(result.page() - 1) : null);
        model.addAttribute("next", result.hasNext() ? params.page(result.page() + 1) : null);
        // htmx asks for the results (with their facets) only, to replace them in place as the user types
        return htmx != null ? "catalog/search :: results" : "catalog/search";
    }

    private List<FacetView> facets(CatalogPage.Facets f, SearchParams params, Locale locale) {
        List<FacetView> out = new ArrayList<>();
        out.add(facet("kind", "catalog.field.kind", f.kinds(), params, v -> message("catalog.kind." + v, locale)));
        out.add(facet("form", "catalog.field.schoolForms", f.schoolForms(), params, v -> v));
        out.add(facet("subject", "catalog.field.subjects", f.subjects(), params, v -> v));
        out.add(facet("supplier", "catalog.field.supplier", f.suppliers(), params, null));
        out.add(facet("need", "catalog.field.dataNeeds", f.dataNeeds(), params, v -> message("attribute." + v, locale)));
        return out.stream().filter(v -> !v.values().isEmpty()).toList();
    }

    private FacetView facet(String name, String heading, List<CatalogPage.Count> counts, SearchParams params,
                            java.util.function.Function<String, String> label) {
        return new FacetView(name, heading, counts.stream().map(c -> new ValueView(label == null ? c.label() : label.apply(c.value()), c.count(),
                c.selected(), params.toggle(name, c.value()))).toList());
    }

    @GetMapping("/catalog/products/{id}")
    String product(@PathVariable UUID id, Model model) {
        Product product = catalog.product(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        model.addAttribute("product", product);
        model.addAttribute("supplier", catalog.supplier(product.supplierId()).orElseThrow());
        return "catalog/product";
    }

    /**
     * The form for a new product. Its supplier is picked by name or organisation number ({@code findSupplier}: htmx asks
     * /catalog/pick/suppliers as it is typed, a plain search without JavaScript); one named by {@code supplier} (a
     * supplier's page's "new product") stays listed, chosen.
     */
    @GetMapping("/catalog/products/new")
    String newProduct(@RequestParam(required = false) UUID supplier, @RequestParam(required = false) String findSupplier, Model model) {
        String orgNumber = supplier == null ? null : catalog.supplier(supplier).map(Supplier::organisationNumber).orElse(null);
        ProductDraft empty = new ProductDraft(orgNumber, "", "", "", "DIGITAL", List.of(), List.of(), List.of(), "PER_USER", "12", "", "SEK", "",
                "OPENID_CONNECT", List.of());
        model.addAttribute("findSupplier", findSupplier);
        return form(model, null, empty, Map.of());
    }

    @GetMapping("/catalog/products/{id}/edit")
    String editProduct(@PathVariable UUID id, @RequestParam(required = false) String findSupplier, Model model) {
        Product product = catalog.product(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        String orgNumber = catalog.supplier(product.supplierId()).map(Supplier::organisationNumber).orElse("");
        model.addAttribute("findSupplier", findSupplier);
        return form(model, id, ProductDraft.of(product, orgNumber), Map.of());
    }

    /** The supplier picker's choices for the words typed so far, for htmx to put into the form. */
    @GetMapping("/catalog/pick/suppliers")
    String pickSupplier(@RequestParam(required = false) String findSupplier, Model model) {
        model.addAttribute("pickerName", "supplier");
        model.addAttribute("pickerChoices", supplierChoices(findSupplier, null));
        return "pickers :: pick";
    }

    /**
     * Suppliers whose name (case and accents aside) or organisation number holds the words, the chosen one (by its
     * organisation number, the form's value) first; null while too few letters are typed and none is chosen.
     */
    private List<PickerChoice> supplierChoices(String words, String chosen) {
        List<PickerChoice> out = new ArrayList<>();
        List<Supplier> all = catalog.allSuppliers();
        all.stream().filter(s -> s.organisationNumber().equals(chosen)).findFirst()
                .ifPresent(s -> out.add(new PickerChoice(s.organisationNumber(), s.name(), s.organisationNumber(), true)));
        if (!PickerChoice.enough(words)) {
            return out.isEmpty() ? null : out;
        }
        String folded = fold(words);
        all.stream().filter(s -> !s.organisationNumber().equals(chosen))
                .filter(s -> fold(s.name()).contains(folded) || s.organisationNumber().contains(words.strip()))
                .sorted(java.util.Comparator.comparing(Supplier::name, String.CASE_INSENSITIVE_ORDER)).limit(PickerChoice.LIMIT)
                .forEach(s -> out.add(new PickerChoice(s.organisationNumber(), s.name(), s.organisationNumber(), false)));
        return out;
    }

    private static String fold(String s) {
        return java.text.Normalizer.normalize(s.strip().toLowerCase(Locale.ROOT), java.text.Normalizer.Form.NFD).replaceAll("\\p{M}", "");
    }

    /** A new product once per filled-in form: a second submission of the same form lands on the product the first created. */
    @PostMapping("/catalog/products")
    String create(@RequestParam MultiValueMap<String, String> form, Authentication auth, Model model, Locale locale) {
        return forms.once(form.getFirst(FormSubmissions.FIELD), auth.getName(), "catalog.product", () -> save(null, form, auth, model, locale));
    }

    @PostMapping("/catalog/products/{id}")
    String update(@PathVariable UUID id, @RequestParam MultiValueMap<String, String> form, Authentication auth, Model model, Locale locale) {
        if (catalog.product(id).isEmpty()) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        return save(id, form, auth, model, locale);
    }

    private String save(UUID id, MultiValueMap<String, String> form, Authentication auth, Model model, Locale locale) {
        ProductDraft draft = ProductForm.draft(form);
        CatalogEditor.Saved saved = editor.saveProduct(id, draft, auth.getName());
        if (saved.ok()) {
            return "redirect:/catalog/products/" + saved.id() + "?saved";
        }
        Map<String, String> errors = new LinkedHashMap<>();
        for (ProductDraft.FieldError e : saved.errors()) {
            errors.merge(e.field(), messages.getMessage("catalog.error." + e.code(), e.args().toArray(), e.code(), locale), (a, b) -> a + " " + b);
        }
        model.addAttribute("errorCount", saved.errors().size());
        return form(model, id, draft, errors);
    }

    private String form(Model model, UUID id, ProductDraft draft, Map<String, String> errors) {
        model.addAttribute("productId", id);
        model.addAttribute("form", ProductForm.of(draft));
        model.addAttribute("errors", errors);
        model.addAttribute("supplierChoices", supplierChoices((String) model.getAttribute("findSupplier"), draft.supplierOrganisationNumber()));
        model.addAttribute("kinds", Product.Kind.values());
        model.addAttribute("licenceModels", Product.LicenceModel.values());
        model.addAttribute("accessMethods", Product.AccessMethod.values());
        model.addAttribute("attributes", Attribute.values());
        return "catalog/product-form";
    }

    private String message(String code, Locale locale) {
        return messages.getMessage(code, null, code, locale);
    }
}
