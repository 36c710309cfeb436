package org.tilldela.catalog.feed;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.tilldela.catalog.Supplier;

/** A supplier as typed in the form, every value still text; {@link #check} names what is wrong, field by field. */
public record SupplierDraft(String name, String organisationNumber, String country, List<String> processingCountries, String contactName,
                            String contactEmail, String contactPhone, List<SubProcessorDraft> subProcessors) {

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final Pattern ORGANISATION_NUMBER = Pattern.compile("[0-9A-Za-z][0-9A-Za-z \\-]{3,30}");

    public SupplierDraft {
        processingCountries = processingCountries == null ? List.of()
                : processingCountries.stream().filter(c -> c != null && !c.isBlank()).map(String::strip).distinct().toList();
        subProcessors = subProcessors == null ? List.of()
                : subProcessors.stream().filter(s -> s != null && !s.isBlank()).toList();
    }

    public record SubProcessorDraft(String name, String country, String purpose) {
        boolean isBlank() {
            return blank(name) && blank(country) && blank(purpose);
        }
    }

    public static SupplierDraft of(Supplier s) {
        return new SupplierDraft(s.name(), s.organisationNumber(), s.country(), s.processingCountries().stream().sorted().toList(),
                s.contact() == null ? null : s.contact().name(), s.contact() == null ? null : s.contact().email(),
                s.contact() == null ? null : s.contact().phone(),
                s.subProcessors().stream().map(p -> new SubProcessorDraft(p.name(), p.country(), p.purpose())).toList());
    }

    public List<ProductDraft.FieldError> check() {
        List<ProductDraft.FieldError> errors = new ArrayList<>();
        if (blank(name)) {
            errors.add(ProductDraft.FieldError.of("name", "required"));
        } else if (name.strip().length() > 200) {
            errors.add(ProductDraft.FieldError.of("name", "tooLong", "200"));
        }
        if (blank(organisationNumber)) {
            errors.add(ProductDraft.FieldError.of("organisationNumber", "required"));
        } else if (!ORGANISATION_NUMBER.matcher(organisationNumber.strip()).matches()) {
            errors.add(ProductDraft.FieldError.of("organisationNumber", "organisationNumber", organisationNumber));
        }
        if (blank(country)) {
            errors.add(ProductDraft.FieldError.of("country", "required"));
        } else if (!ProductDraft.COUNTRY.matcher(country.strip()).matches()) {
            errors.add(ProductDraft.FieldError.of("country", "country", country));
        }
        for (String c : processingCountries) {
            if (!ProductDraft.COUNTRY.matcher(c).matches()) {
                errors.add(ProductDraft.FieldError.of("processingCountries", "country", c));
            }
        }
        if (!blank(contactEmail) && !EMAIL.matcher(contactEmail.strip()).matches()) {
            errors.add(ProductDraft.FieldError.of("contactEmail", "email", contactEmail));
        }
        for (int i = 0; i < subProcessors.size(); i++) {
            SubProcessorDraft s = subProcessors.get(i);
            if (blank(s.name())) {
                errors.add(ProductDraft.FieldError.of("subProcessors[" + i + "].name", "required"));
            }
            if (blank(s.country())) {
                errors.add(ProductDraft.FieldError.of("subProcessors[" + i + "].country", "required"));
            } else if (!ProductDraft.COUNTRY.matcher(s.country().strip()).matches()) {
                errors.add(ProductDraft.FieldError.of("subProcessors[" + i + "].country", "country", s.country()));
            }
        }
        return errors;
    }

    static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    static String trimmed(String s) {
        return blank(s) ? null : s.strip();
    }
}
