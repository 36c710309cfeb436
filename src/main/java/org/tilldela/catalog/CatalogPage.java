package org.tilldela.catalog;

import java.math.BigDecimal;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * One page of a catalogue search: the hits, how many match in all, and the facets with counts over
 * everything that matches (so each count says how many would remain after choosing that value).
 */
public record CatalogPage(List<Hit> hits, long total, int page, int pageSize, Facets facets) {

    public CatalogPage {
        hits = List.copyOf(hits);
    }

    public int pages() {
        return (int) Math.min((total + pageSize - 1) / pageSize, CatalogQuery.MAX_OFFSET / pageSize + 1);
    }

    public boolean hasNext() {
        return page < pages();
    }

    public boolean hasPrevious() {
        return page > 1;
    }

    /** A product as a search lists it, with the attributes it declares (its data needs) at a glance. */
    public record Hit(UUID id, String articleNumber, String title, UUID supplierId, String supplierName, Product.Kind kind,
                      List<String> schoolForms, List<String> grades, List<String> subjects, BigDecimal price, String currency,
                      Product.AccessMethod accessMethod, Set<Attribute> dataNeeds, double rank) {
    }

    /** Facet values with counts, most frequent first; {@code label} is for display (a supplier's name, say). */
    public record Facets(List<Count> kinds, List<Count> schoolForms, List<Count> subjects, List<Count> suppliers, List<Count> dataNeeds) {
    }

    public record Count(String value, String label, long count, boolean selected) {
    }
}
