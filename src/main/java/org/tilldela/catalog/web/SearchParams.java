package org.tilldela.catalog.web;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.web.util.UriComponentsBuilder;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.CatalogQuery;
import org.tilldela.catalog.Product;

/**
 * The search as request parameters ({@code q, kind, form, subject, supplier, need, page}), shared by the
 * search page and the buyers' API. Unknown values are dropped rather than refused: a stale bookmark
 * still searches. Builds the links that toggle one facet value or go to another page.
 */
public record SearchParams(String q, List<String> kind, List<String> form, List<String> subject, List<String> supplier, List<String> need,
                    int page, int size) {

    public SearchParams {
        q = q == null ? "" : q;
        kind = kind == null ? List.of() : List.copyOf(kind);
        form = form == null ? List.of() : List.copyOf(form);
        subject = subject == null ? List.of() : List.copyOf(subject);
        supplier = supplier == null ? List.of() : List.copyOf(supplier);
        need = need == null ? List.of() : List.copyOf(need);
    }

    public CatalogQuery toQuery() {
        Set<Product.Kind> kinds = EnumSet.noneOf(Product.Kind.class);
        kind.forEach(k -> parse(() -> kinds.add(Product.Kind.valueOf(k))));
        Set<Attribute> needs = EnumSet.noneOf(Attribute.class);
        need.forEach(n -> parse(() -> needs.add(Attribute.valueOf(n))));
        Set<UUID> suppliers = new LinkedHashSet<>();
        supplier.forEach(s -> parse(() -> suppliers.add(UUID.fromString(s))));
        return new CatalogQuery(q, kinds, Set.copyOf(form), Set.copyOf(subject), suppliers, needs, page, size);
    }

    private static void parse(Runnable r) {
        try {
            r.run();
        } catch (IllegalArgumentException ignored) {
            // an unknown value narrows nothing
        }
    }

    /** The link to this search with one facet value switched on or off, back on page 1. */
    public String toggle(String facet, String value) {
        List<String> kind2 = facet.equals("kind") ? flip(kind, value) : kind;
        List<String> form2 = facet.equals("form") ? flip(form, value) : form;
        List<String> subject2 = facet.equals("subject") ? flip(subject, value) : subject;
        List<String> supplier2 = facet.equals("supplier") ? flip(supplier, value) : supplier;
        List<String> need2 = facet.equals("need") ? flip(need, value) : need;
        return new SearchParams(q, kind2, form2, subject2, supplier2, need2, 1, size).link();
    }

    public String page(int n) {
        return new SearchParams(q, kind, form, subject, supplier, need, n, size).link();
    }

    public String link() {
        UriComponentsBuilder b = UriComponentsBuilder.fromPath("/catalog");
        if (!q.isBlank()) {
            b.queryParam("q", q);
        }
        kind.forEach(v -> b.queryParam("kind", v));
        form.forEach(v -> b.queryParam("form", v));
        subject.forEach(v -> b.queryParam("subject", v));
        supplier.forEach(v -> b.queryParam("supplier", v));
        need.forEach(v -> b.queryParam("need", v));
        if (page > 1) {
            b.queryParam("page", page);
        }
        return b.encode().build().toUriString();
    }

    public boolean hasFacets() {
        return !(kind.isEmpty() && form.isEmpty() && subject.isEmpty() && supplier.isEmpty() && need.isEmpty());
    }

    private static List<String> flip(List<String> values, String value) {
        List<String> out = new ArrayList<>(values);
        if (!out.remove(value)) {
            out.add(value);
        }
        return out;
    }
}
