package org.tilldela.catalog.web;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.util.MultiValueMap;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.feed.ProductDraft;

/**
 * The product form's values as the page shows them: lists joined for text inputs, and one declaration
 * row per attribute of the vocabulary (ticked when the product needs it), so the declaration is edited
 * without scripts.
 */
public record ProductForm(String supplier, String articleNumber, String title, String description, String kind, String schoolForms, String grades,
                   String subjects, String licenceModel, String licencePeriodMonths, String price, String currency, String trialDays,
                   String accessMethod, List<NeedRow> needs) {

    public record NeedRow(String attribute, boolean needed, String purpose, String retentionDays, String countries) {
    }

    static ProductForm of(ProductDraft d) {
        Map<String, ProductDraft.NeedDraft> byAttribute = new LinkedHashMap<>();
        d.dataNeeds().forEach(n -> byAttribute.put(n.attribute(), n));
        List<NeedRow> rows = new ArrayList<>();
        for (Attribute a : Attribute.values()) {
            ProductDraft.NeedDraft n = byAttribute.get(a.name());
            rows.add(n == null ? new NeedRow(a.name(), false, "", "", "")
                    : new NeedRow(a.name(), true, n.purpose(), n.retentionDays(), String.join(" ", n.processingCountries())));
        }
        return new ProductForm(d.supplierOrganisationNumber(), d.articleNumber(), d.title(), d.description(), d.kind(),
                String.join(", ", d.schoolForms()), String.join(", ", d.grades()), String.join(", ", d.subjects()), d.licenceModel(),
                d.licencePeriodMonths(), d.price(), d.currency(), d.trialDays(), d.accessMethod(), rows);
    }

    /** The draft the submitted form describes: a declaration row counts when its box is ticked. */
    static ProductDraft draft(MultiValueMap<String, String> f) {
        List<ProductDraft.NeedDraft> needs = new ArrayList<>();
        for (Attribute a : Attribute.values()) {
            if (f.containsKey("need." + a.name())) {
                needs.add(new ProductDraft.NeedDraft(a.name(), f.getFirst("purpose." + a.name()), f.getFirst("retention." + a.name()),
                        split(f.getFirst("countries." + a.name()), "[\\s,;]+")));
            }
        }
        return new ProductDraft(f.getFirst("supplier"), f.getFirst("articleNumber"), f.getFirst("title"), f.getFirst("description"),
                f.getFirst("kind"), split(f.getFirst("schoolForms"), "[,;]"), split(f.getFirst("grades"), "[,;\\s]+"),
                split(f.getFirst("subjects"), "[,;]"), f.getFirst("licenceModel"), f.getFirst("licencePeriodMonths"), f.getFirst("price"),
                f.getFirst("currency"), f.getFirst("trialDays"), f.getFirst("accessMethod"), needs);
    }

    static List<String> split(String value, String separators) {
        return value == null ? List.of() : Arrays.stream(value.split(separators)).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
