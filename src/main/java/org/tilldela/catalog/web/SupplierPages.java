package org.tilldela.catalog.web;

import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.context.MessageSource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.server.ResponseStatusException;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.CatalogQuery;
import org.tilldela.catalog.CatalogSearch;
import org.tilldela.catalog.Supplier;
import org.tilldela.catalog.feed.CatalogEditor;
import org.tilldela.catalog.feed.ProductDraft;
import org.tilldela.catalog.feed.SupplierDraft;
import org.tilldela.directory.OrganisationBrowser;
import org.tilldela.platform.FormSubmissions;

/** Suppliers in the web UI: list, page, create and edit, and their processing agreements (filed with the signed document). */
@Controller
// installation-wide (suppliers, their processing agreements with any organiser): for a grant over the whole installation only
@PreAuthorize("hasAuthority('RIGHT_CATALOG_ADMIN') and @scopes.wholeInstallation(authentication, 'CATALOG_ADMIN')")
class SupplierPages {

    private static final int BLANK_SUB_PROCESSOR_ROWS = 2;

    private final Catalog catalog;
    private final CatalogSearch search;
    private final CatalogEditor editor;
    private final OrganisationBrowser directory;
    private final MessageSource messages;
    private final FormSubmissions forms;

    SupplierPages(Catalog catalog, CatalogSearch search, CatalogEditor editor, OrganisationBrowser directory, MessageSource messages,
                  FormSubmissions forms) {
        this.forms = forms;
        this.catalog = catalog;
        this.search = search;
        this.editor = editor;
        this.directory = directory;
        this.messages = messages;
    }

    @GetMapping("/catalog/suppliers")
    String list(Model model) {
        List<Supplier> suppliers = catalog.allSuppliers();
        LocalDate today = LocalDate.now();
        Map<UUID, Long> validCounts = new LinkedHashMap<>();
        for (Supplier s : suppliers) {
            validCounts.put(s.id(), s.processingAgreements().stream()
                    .filter(a -> !today.isBefore(a.signedOn()) && (a.validUntil() == null || !today.isAfter(a.validUntil()))).count());
        }
        model.addAttribute("suppliers", suppliers);
        model.addAttribute("counts", catalog.productCounts());
        model.addAttribute("validCounts", validCounts);
        return "catalog/suppliers";
    }

    @GetMapping("/catalog/suppliers/{id}")
    String supplier(@PathVariable UUID id, Model model) {
        Supplier supplier = catalog.supplier(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        return supplierPage(model, supplier, Map.of(), null);
    }

    private String supplierPage(Model model, Supplier supplier, Map<String, String> agreementErrors, Map<String, Object> agreementForm) {
        model.addAttribute("supplier", supplier);
        model.addAttribute("today", LocalDate.now());
        Map<UUID, String> organiserNames = new LinkedHashMap<>();
        var roots = directory.roots();
        roots.forEach(o -> organiserNames.put(o.id(), o.name()));
        model.addAttribute("organisers", roots);
        model.addAttribute("organiserNames", organiserNames);
        model.addAttribute("products", search.search(CatalogQuery.of("").withSuppliers(Set.of(supplier.id()))));
        model.addAttribute("agreementErrors", agreementErrors);
        model.addAttribute("agreementForm", agreementForm == null ? Map.of() : agreementForm);
        return "catalog/supplier";
    }

    @GetMapping("/catalog/suppliers/new")
    String newSupplier(Model model) {
        return form(model, null, new SupplierDraft("", "", "SE", List.of("SE"), "", "", "", List.of()), Map.of());
    }

    @GetMapping("/catalog/suppliers/{id}/edit")
    String edit(@PathVariable UUID id, Model model) {
        Supplier supplier = catalog.supplier(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        return form(model, id, SupplierDraft.of(supplier), Map.of());
    }

    /** A new supplier once per filled-in form: a second submission of the same form lands on the supplier the first created. */
    @PostMapping("/catalog/suppliers")
    String create(@RequestParam MultiValueMap<String, String> form, Authentication auth, Model model, Locale locale) {
        return forms.once(form.getFirst(FormSubmissions.FIELD), auth.getName(), "catalog.supplier", () -> save(null, form, auth, model, locale));
    }

    @PostMapping("/catalog/suppliers/{id}")
    String update(@PathVariable UUID id, @RequestParam MultiValueMap<String, String> form, Authentication auth, Model model, Locale locale) {
        catalog.supplier(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        return save(id, form, auth, model, locale);
    }

    private String save(UUID id, MultiValueMap<String, String> form, Authentication auth, Model model, Locale locale) {
        List<SupplierDraft.SubProcessorDraft> subs = new ArrayList<>();
        List<String> names = form.getOrDefault("subName", List.of());
        List<String> countries = form.getOrDefault("subCountry", List.of());
        List<String> purposes = form.getOrDefault("subPurpose", List.of());
        for (int i = 0; i < names.size(); i++) {
            subs.add(new SupplierDraft.SubProcessorDraft(names.get(i), i < countries.size() ? countries.get(i) : null,
                    i < purposes.size() ? purposes.get(i) : null));
        }
        SupplierDraft draft = new SupplierDraft(form.getFirst("name"), form.getFirst("organisationNumber"), form.getFirst("country"),
                ProductForm.split(form.getFirst("processingCountries"), "[\\s,;]+"), form.getFirst("contactName"), form.getFirst("contactEmail"),
                form.getFirst("contactPhone"), subs);
        CatalogEditor.Saved saved = editor.saveSupplier(id, draft, auth.getName());
        if (saved.ok()) {
            return "redirect:/catalog/suppliers/" + saved.id() + "?saved";
        }
        model.addAttribute("errorCount", saved.errors().size());
        return form(model, id, draft, messages(saved.errors(), locale));
    }

    private String form(Model model, UUID id, SupplierDraft draft, Map<String, String> errors) {
        List<SupplierDraft.SubProcessorDraft> rows = new ArrayList<>(draft.subProcessors());
        for (int i = 0; i < BLANK_SUB_PROCESSOR_ROWS; i++) {
            rows.add(new SupplierDraft.SubProcessorDraft("", "", ""));
        }
        model.addAttribute("supplierId", id);
        model.addAttribute("form", draft);
        model.addAttribute("processingCountries", String.join(" ", draft.processingCountries()));
        model.addAttribute("subRows", rows);
        model.addAttribute("errors", errors);
        return "catalog/supplier-form";
    }

    @PostMapping("/catalog/suppliers/{id}/agreements")
    String addAgreement(@PathVariable UUID id, @RequestParam(required = false) MultipartFile document, @RequestParam(defaultValue = "") String signedOn,
                        @RequestParam(defaultValue = "") String validUntil, @RequestParam(required = false) List<UUID> organisers,
                        @RequestParam(name = FormSubmissions.FIELD, required = false) String formToken,
                        Authentication auth, Model model, Locale locale) throws IOException {
        Supplier supplier = catalog.supplier(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        Set<UUID> covered = organisers == null ? Set.of() : new LinkedHashSet<>(organisers);
        boolean hasFile = document != null && !document.isEmpty();
        byte[] content = hasFile ? document.getBytes() : null;
        CatalogEditor.Saved[] result = new CatalogEditor.Saved[1];
        String view = forms.once(formToken, auth.getName(), "catalog.agreement", () -> {
            result[0] = editor.addAgreement(id, hasFile ? document.getOriginalFilename() : null, hasFile ? document.getContentType() : null,
                    content, signedOn, validUntil, covered, auth.getName());
            return result[0].ok() ? "redirect:/catalog/suppliers/" + id + "?agreement" : null;
        });
        if (view != null) {
            return view; // filed now, or by the first of two submissions of this form
        }
        CatalogEditor.Saved saved = result[0];
        Map<String, Object> again = new LinkedHashMap<>();
        again.put("signedOn", signedOn);
        again.put("validUntil", validUntil);
        again.put("organisers", covered);
        model.addAttribute("errorCount", saved.errors().size());
        return supplierPage(model, supplier, messages(saved.errors(), locale), again);
    }

    @PostMapping("/catalog/suppliers/{id}/agreements/{agreementId}/delete")
    String removeAgreement(@PathVariable UUID id, @PathVariable UUID agreementId, Authentication auth) {
        try {
            editor.removeAgreement(id, agreementId, auth.getName());
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        return "redirect:/catalog/suppliers/" + id;
    }

    @GetMapping("/catalog/suppliers/{id}/agreements/{agreementId}/document")
    ResponseEntity<byte[]> document(@PathVariable UUID id, @PathVariable UUID agreementId) {
        Supplier supplier = catalog.supplier(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        if (supplier.processingAgreements().stream().noneMatch(a -> a.id().equals(agreementId))) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        Catalog.AgreementDocument doc = catalog.agreementDocument(agreementId).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
        // The uploader's Content-Type is not ours to repeat: named text/html or image/svg+xml, a document
        // would be a script in our origin. Served as opaque bytes, always a download, never sniffed.
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(doc.name(), java.nio.charset.StandardCharsets.UTF_8).build().toString())
                .header("X-Content-Type-Options", "nosniff")
                .body(doc.content());
    }

    private Map<String, String> messages(List<ProductDraft.FieldError> errors, Locale locale) {
        Map<String, String> out = new LinkedHashMap<>();
        for (ProductDraft.FieldError e : errors) {
            out.merge(e.field(), messages.getMessage("catalog.error." + e.code(), e.args().toArray(), e.code(), locale), (a, b) -> a + " " + b);
        }
        return out;
    }
}
