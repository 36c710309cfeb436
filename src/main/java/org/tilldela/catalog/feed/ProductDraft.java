package org.tilldela.catalog.feed;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.tilldela.catalog.Attribute;
import org.tilldela.catalog.Product;

/**
 * A product as typed in a form or read from a feed: every value still text, as given. {@link #check}
 * says what is wrong with it, field by field, so the form and the feed report the same rules in the same
 * words; {@link #toProduct} makes the product once nothing is.
 */
public record ProductDraft(String supplierOrganisationNumber, String articleNumber, String title, String description, String kind,
                           List<String> schoolForms, List<String> grades, List<String> subjects, String licenceModel,
                           String licencePeriodMonths, String price, String currency, String trialDays, String accessMethod,
                           List<NeedDraft> dataNeeds) {

    static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
    static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    static final Pattern ARTICLE_NUMBER = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}._/\\-]{0,63}");

    public ProductDraft {
        schoolForms = clean(schoolForms);
        grades = clean(grades);
        subjects = clean(subjects);
        dataNeeds = dataNeeds == null ? List.of() : List.copyOf(dataNeeds);
    }

    /** One line of the declaration as given: the attribute's name, purpose, days kept after the licence ends, countries. */
    public record NeedDraft(String attribute, String purpose, String retentionDays, List<String> processingCountries) {
        public NeedDraft {
            processingCountries = clean(processingCountries);
        }
    }

    /** What is wrong with one field: a message code under {@code catalog.error.} and its arguments. */
    public record FieldError(String field, String code, List<String> args) {
        public FieldError {
            args = List.copyOf(args);
        }

        static FieldError of(String field, String code, String... args) {
            return new FieldError(field, code, List.of(args));
        }
    }

    public static ProductDraft of(Product p, String supplierOrganisationNumber) {
        return new ProductDraft(supplierOrganisationNumber, p.articleNumber(), p.title(), p.description(), p.kind().name(), p.schoolForms(),
                p.grades(), p.subjects(), p.licenceModel().name(), String.valueOf(p.licencePeriodMonths()), p.price().toPlainString(),
                p.currency(), p.trialDays() == null ? "" : String.valueOf(p.trialDays()), p.accessMethod().name(),
                p.dataNeeds().stream().map(n -> new NeedDraft(n.attribute().name(), n.purpose(), String.valueOf(n.retentionDays()),
                        n.processingCountries().stream().sorted().toList())).toList());
    }

    /**
     * Everything wrong with the draft on its own (the supplier's existence and the article number's
     * uniqueness need the catalogue and are checked by the caller). Declaration fields are named
     * {@code dataNeeds.ATTRIBUTE.field}, or {@code dataNeeds[i].attribute} when the attribute is unknown.
     */
    public List<FieldError> check() {
        List<FieldError> errors = new ArrayList<>();
        required(errors, "supplier", supplierOrganisationNumber);
        if (required(errors, "articleNumber", articleNumber) && !ARTICLE_NUMBER.matcher(articleNumber.strip()).matches()) {
            errors.add(FieldError.of("articleNumber", "articleNumber", articleNumber));
        }
        if (required(errors, "title", title) && title.strip().length() > 300) {
            errors.add(FieldError.of("title", "tooLong", "300"));
        }
        if (description != null && description.length() > 10_000) {
            errors.add(FieldError.of("description", "tooLong", "10000"));
        }
        Product.Kind k = enumValue(errors, "kind", kind, Product.Kind.class);
        enumValue(errors, "licenceModel", licenceModel, Product.LicenceModel.class);
        Product.AccessMethod access = enumValue(errors, "accessMethod", accessMethod, Product.AccessMethod.class);
        integer(errors, "licencePeriodMonths", licencePeriodMonths, 1, 120, true);
        integer(errors, "trialDays", trialDays, 1, 365, false);
        if (required(errors, "price", price)) {
            try {
                BigDecimal value = new BigDecimal(price.strip().replace(',', '.'));
                if (value.signum() < 0 || value.scale() > 2 || value.compareTo(new BigDecimal("9999999999.99")) > 0) {
                    errors.add(FieldError.of("price", "price", price));
                }
            } catch (NumberFormatException e) {
                errors.add(FieldError.of("price", "price", price));
            }
        }
        if (currency != null && !currency.isBlank() && !CURRENCY.matcher(currency.strip()).matches()) {
            errors.add(FieldError.of("currency", "currency", currency));
        }
        for (String form : schoolForms) {
            if (form.length() > 20) {
                errors.add(FieldError.of("schoolForms", "tooLong", "20"));
            }
        }
        Set<Attribute> seen = EnumSet.noneOf(Attribute.class);
        for (int i = 0; i < dataNeeds.size(); i++) {
            NeedDraft need = dataNeeds.get(i);
            Attribute attribute;
            try {
                attribute = Attribute.valueOf(need.attribute() == null ? "" : need.attribute().strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                errors.add(FieldError.of("dataNeeds[" + i + "].attribute", "unknownValue", String.valueOf(need.attribute())));
                continue;
            }
            String prefix = "dataNeeds." + attribute.name() + ".";
            if (!seen.add(attribute)) {
                errors.add(FieldError.of(prefix + "attribute", "duplicateAttribute", attribute.name()));
            }
            if (required(errors, prefix + "purpose", need.purpose()) && need.purpose().length() > 500) {
                errors.add(FieldError.of(prefix + "purpose", "tooLong", "500"));
            }
            integer(errors, prefix + "retentionDays", need.retentionDays(), 0, 3650, true);
            if (need.processingCountries().isEmpty()) {
                errors.add(FieldError.of(prefix + "processingCountries", "required"));
            }
            for (String c : need.processingCountries()) {
                if (!COUNTRY.matcher(c).matches()) {
                    errors.add(FieldError.of(prefix + "processingCountries", "country", c));
                }
            }
        }
        if (access == Product.AccessMethod.NONE && !dataNeeds.isEmpty()) {
            // without a way in, the supplier has no business receiving personal data
            errors.add(FieldError.of("accessMethod", "accessNoneWithData"));
        }
        if (k != null && access != null && access != Product.AccessMethod.NONE
                && (k == Product.Kind.PRINTED_BOUND || k == Product.Kind.PRINTED_PAPERBACK)) {
            errors.add(FieldError.of("accessMethod", "printedWithAccess"));
        }
        return errors;
    }

    /** The product this draft describes; only call when {@link #check} found nothing. */
    public Product toProduct(UUID id, UUID supplierId) {
        return new Product(id, articleNumber.strip(), supplierId, title.strip(), description == null ? "" : description.strip(),
                Product.Kind.valueOf(kind.strip().toUpperCase(Locale.ROOT)), schoolForms, grades, subjects,
                Product.LicenceModel.valueOf(licenceModel.strip().toUpperCase(Locale.ROOT)), Integer.parseInt(licencePeriodMonths.strip()),
                new BigDecimal(price.strip().replace(',', '.')).setScale(2),
                currency == null || currency.isBlank() ? "SEK" : currency.strip(),
                trialDays == null || trialDays.isBlank() ? null : Integer.valueOf(trialDays.strip()),
                Product.AccessMethod.valueOf(accessMethod.strip().toUpperCase(Locale.ROOT)),
                dataNeeds.stream().map(n -> new Product.DataNeed(Attribute.valueOf(n.attribute().strip().toUpperCase(Locale.ROOT)),
                        n.purpose().strip(), Integer.parseInt(n.retentionDays().strip()), Set.copyOf(n.processingCountries()))).toList());
    }

    private static boolean required(List<FieldError> errors, String field, String value) {
        if (value == null || value.isBlank()) {
            errors.add(FieldError.of(field, "required"));
            return false;
        }
        return true;
    }

    private static <E extends Enum<E>> E enumValue(List<FieldError> errors, String field, String value, Class<E> type) {
        if (!required(errors, field, value)) {
            return null;
        }
        try {
            return Enum.valueOf(type, value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            errors.add(FieldError.of(field, "unknownValue", value));
            return null;
        }
    }

    private static void integer(List<FieldError> errors, String field, String value, int min, int max, boolean mandatory) {
        if (value == null || value.isBlank()) {
            if (mandatory) {
                errors.add(FieldError.of(field, "required"));
            }
            return;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n < min || n > max) {
                errors.add(FieldError.of(field, "range", String.valueOf(min), String.valueOf(max)));
            }
        } catch (NumberFormatException e) {
            errors.add(FieldError.of(field, "number", value));
        }
    }

    private static List<String> clean(List<String> values) {
        if (values == null) {
            return List.of();
        }
        Set<String> set = new LinkedHashSet<>();
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                set.add(v.strip());
            }
        }
        return List.copyOf(set);
    }
}
