package org.tilldela.catalog;

import java.util.Set;
import java.util.UUID;

/**
 * A catalogue search: words (Swedish or Danish, any inflection; the last word is a prefix unless the text
 * ends with a space, for type-ahead), facet filters (any of the values within a facet, every facet given)
 * and a page (1-based).
 */
public record CatalogQuery(String text, Set<Product.Kind> kinds, Set<String> schoolForms, Set<String> subjects, Set<UUID> suppliers,
                           Set<Attribute> dataNeeds, int page, int pageSize) {

    public static final int MAX_PAGE_SIZE = 100;
    /** Deeper than this nobody pages; narrowing the search is the answer, and it keeps offsets cheap. */
    public static final int MAX_OFFSET = 10_000;

    public CatalogQuery {
        text = text == null ? "" : text;
        kinds = kinds == null ? Set.of() : Set.copyOf(kinds);
        schoolForms = schoolForms == null ? Set.of() : Set.copyOf(schoolForms);
        subjects = subjects == null ? Set.of() : Set.copyOf(subjects);
        suppliers = suppliers == null ? Set.of() : Set.copyOf(suppliers);
        dataNeeds = dataNeeds == null ? Set.of() : Set.copyOf(dataNeeds);
        pageSize = pageSize <= 0 ? 20 : Math.min(pageSize, MAX_PAGE_SIZE);
        page = Math.max(1, Math.min(page, MAX_OFFSET / pageSize + 1));
    }

    /** The first page of 20 for these words, no facets. */
    public static CatalogQuery of(String text) {
        return new CatalogQuery(text, null, null, null, null, null, 1, 20);
    }

    public CatalogQuery withPage(int newPage) {
        return new CatalogQuery(text, kinds, schoolForms, subjects, suppliers, dataNeeds, newPage, pageSize);
    }

    public CatalogQuery withKinds(Set<Product.Kind> newKinds) {
        return new CatalogQuery(text, newKinds, schoolForms, subjects, suppliers, dataNeeds, page, pageSize);
    }

    public CatalogQuery withSchoolForms(Set<String> forms) {
        return new CatalogQuery(text, kinds, forms, subjects, suppliers, dataNeeds, page, pageSize);
    }

    public CatalogQuery withSubjects(Set<String> newSubjects) {
        return new CatalogQuery(text, kinds, schoolForms, newSubjects, suppliers, dataNeeds, page, pageSize);
    }

    public CatalogQuery withSuppliers(Set<UUID> newSuppliers) {
        return new CatalogQuery(text, kinds, schoolForms, subjects, newSuppliers, dataNeeds, page, pageSize);
    }

    public CatalogQuery withDataNeeds(Set<Attribute> needs) {
        return new CatalogQuery(text, kinds, schoolForms, subjects, suppliers, needs, page, pageSize);
    }

    public int offset() {
        return (page - 1) * pageSize;
    }
}
