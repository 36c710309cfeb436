package org.tilldela.catalog.feed;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.tilldela.catalog.Catalog;
import org.tilldela.catalog.Product;
import org.tilldela.catalog.Supplier;
import org.tilldela.governance.AuditTrail;

/**
 * Editing the catalogue by hand: a product or a supplier is checked whole and saved whole, in one
 * transaction with its audit record, or — if anything is wrong — not at all, and the caller gets every
 * problem by field.
 */
@Service
@Transactional
public class CatalogEditor {

    private final Catalog catalog;
    private final AuditTrail audit;

    CatalogEditor(Catalog catalog, AuditTrail audit) {
        this.catalog = catalog;
        this.audit = audit;
    }

    /** The outcome of a save: the id when saved, the problems otherwise. */
    public record Saved(UUID id, List<ProductDraft.FieldError> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    /** Creates (id null) or updates a product. */
    public Saved saveProduct(UUID id, ProductDraft draft, String actor) {
        List<ProductDraft.FieldError> errors = new ArrayList<>(draft.check());
        Supplier supplier = null;
        if (!SupplierDraft.blank(draft.supplierOrganisationNumber())) {
            supplier = catalog.supplierByOrganisationNumber(draft.supplierOrganisationNumber().strip()).orElse(null);
            if (supplier == null) {
                errors.add(ProductDraft.FieldError.of("supplier", "unknownSupplier", draft.supplierOrganisationNumber()));
            }
        }
        if (id != null && catalog.product(id).isEmpty()) {
            throw new IllegalArgumentException("no product " + id);
        }
        if (!SupplierDraft.blank(draft.articleNumber())) {
            catalog.holdNumber("article", draft.articleNumber().strip());
            Optional<Product> same = catalog.productByArticleNumber(draft.articleNumber().strip());
            if (same.isPresent() && !same.get().id().equals(id)) {
                errors.add(ProductDraft.FieldError.of("articleNumber", "articleTaken", draft.articleNumber().strip()));
            }
        }
        if (!errors.isEmpty()) {
            return new Saved(id, errors);
        }
        UUID productId = id != null ? id : UUID.randomUUID();
        Product product = draft.toProduct(productId, supplier.id());
        catalog.save(product);
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("articleNumber", product.articleNumber());
        detail.put("supplier", supplier.id().toString());
        detail.put("dataNeeds", product.declaredAttributes().stream().map(Enum::name).sorted().toList());
        audit.record(actor, id == null ? "CATALOG_PRODUCT_CREATED" : "CATALOG_PRODUCT_UPDATED", "product", productId.toString(), detail);
        return new Saved(productId, List.of());
    }

    /** Creates (id null) or updates a supplier; its agreements are kept as they are. */
    public Saved saveSupplier(UUID id, SupplierDraft draft, String actor) {
        List<ProductDraft.FieldError> errors = new ArrayList<>(draft.check());
        Supplier existing = null;
        if (id != null) {
            catalog.lockSupplier(id);
            existing = catalog.supplier(id).orElseThrow(() -> new IllegalArgumentException("no supplier " + id));
        }
        if (!SupplierDraft.blank(draft.organisationNumber())) {
            catalog.holdNumber("organisation", draft.organisationNumber().strip());
            Optional<Supplier> same = catalog.supplierByOrganisationNumber(draft.organisationNumber().strip());
            if (same.isPresent() && !same.get().id().equals(id)) {
                errors.add(ProductDraft.FieldError.of("organisationNumber", "organisationNumberTaken", draft.organisationNumber().strip()));
            }
        }
        if (!errors.isEmpty()) {
            return new Saved(id, errors);
        }
        UUID supplierId = id != null ? id : UUID.randomUUID();
        Supplier supplier = new Supplier(supplierId, draft.name().strip(), draft.organisationNumber().strip(), draft.country().strip(),
                Set.copyOf(draft.processingCountries()),
                draft.subProcessors().stream().map(s -> new Supplier.SubProcessor(s.name().strip(), s.country().strip(),
                        SupplierDraft.trimmed(s.purpose()))).toList(),
                existing == null ? List.of() : existing.processingAgreements(),
                new Supplier.Contact(SupplierDraft.trimmed(draft.contactName()), SupplierDraft.trimmed(draft.contactEmail()),
                        SupplierDraft.trimmed(draft.contactPhone())));
        catalog.save(supplier);
        audit.record(actor, id == null ? "CATALOG_SUPPLIER_CREATED" : "CATALOG_SUPPLIER_UPDATED", "supplier", supplierId.toString(),
                Map.of("organisationNumber", supplier.organisationNumber(), "processingCountries", supplier.allProcessingCountries(),
                        "subProcessors", supplier.subProcessors().size()));
        return new Saved(supplierId, List.of());
    }

    /**
     * Files a signed processing agreement with its document and the organisers it covers. Dates are ISO
     * (yyyy-mm-dd); valid-until may be empty (until terminated).
     */
    public Saved addAgreement(UUID supplierId, String documentName, String contentType, byte[] document, String signedOn, String validUntil,
                              Set<UUID> organisers, String actor) {
        catalog.lockSupplier(supplierId);
        Supplier supplier = catalog.supplier(supplierId).orElseThrow(() -> new IllegalArgumentException("no supplier " + supplierId));
        List<ProductDraft.FieldError> errors = new ArrayList<>();
        if (document == null || document.length == 0) {
            errors.add(ProductDraft.FieldError.of("document", "required"));
        } else if (document.length > 20 * 1024 * 1024) {
            errors.add(ProductDraft.FieldError.of("document", "tooLarge", "20 MB"));
        }
        LocalDate signed = date(errors, "signedOn", signedOn, true);
        LocalDate until = date(errors, "validUntil", validUntil, false);
        if (signed != null && until != null && until.isBefore(signed)) {
            errors.add(ProductDraft.FieldError.of("validUntil", "beforeSigned"));
        }
        if (organisers.isEmpty()) {
            errors.add(ProductDraft.FieldError.of("organisers", "required"));
        }
        if (!errors.isEmpty()) {
            return new Saved(null, errors);
        }
        UUID agreementId = UUID.randomUUID();
        String name = SupplierDraft.blank(documentName) ? "agreement" : documentName.strip();
        List<Supplier.ProcessingAgreement> agreements = new ArrayList<>(supplier.processingAgreements());
        agreements.add(new Supplier.ProcessingAgreement(agreementId, name, signed, until, organisers));
        catalog.save(withAgreements(supplier, agreements));
        catalog.attachAgreementDocument(agreementId, name, contentType, document);
        audit.record(actor, "CATALOG_AGREEMENT_FILED", "supplier", supplierId.toString(),
                Map.of("agreement", agreementId.toString(), "signedOn", signed.toString(), "validUntil", String.valueOf(until),
                        "organisers", organisers.stream().map(UUID::toString).sorted().toList()));
        return new Saved(agreementId, List.of());
    }

    public void removeAgreement(UUID supplierId, UUID agreementId, String actor) {
        catalog.lockSupplier(supplierId);
        Supplier supplier = catalog.supplier(supplierId).orElseThrow(() -> new IllegalArgumentException("no supplier " + supplierId));
        List<Supplier.ProcessingAgreement> kept = supplier.processingAgreements().stream().filter(a -> !a.id().equals(agreementId)).toList();
        if (kept.size() == supplier.processingAgreements().size()) {
            throw new IllegalArgumentException("no agreement " + agreementId);
        }
        catalog.save(withAgreements(supplier, kept));
        audit.record(actor, "CATALOG_AGREEMENT_REMOVED", "supplier", supplierId.toString(), Map.of("agreement", agreementId.toString()));
    }

    private static Supplier withAgreements(Supplier s, List<Supplier.ProcessingAgreement> agreements) {
        return new Supplier(s.id(), s.name(), s.organisationNumber(), s.country(), s.processingCountries(), s.subProcessors(), agreements,
                s.contact());
    }

    private static LocalDate date(List<ProductDraft.FieldError> errors, String field, String value, boolean required) {
        if (SupplierDraft.blank(value)) {
            if (required) {
                errors.add(ProductDraft.FieldError.of(field, "required"));
            }
            return null;
        }
        try {
            LocalDate date = LocalDate.parse(value.strip());
            // a year the database cannot keep as a day (before 4713 BC it is written as -infinity, and read back it breaks
            // every read of the supplier): an agreement's days lie within these years
            if (date.getYear() < 1900 || date.getYear() > 9999) {
                errors.add(ProductDraft.FieldError.of(field, "date", value));
                return null;
            }
            return date;
        } catch (DateTimeParseException e) {
            errors.add(ProductDraft.FieldError.of(field, "date", value));
            return null;
        }
    }
}
