package org.tilldela.catalog;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Suppliers and products for tests, each with unique names and numbers so tests sharing the database never collide. */
public final class CatalogFixtures {

    private CatalogFixtures() {
    }

    public static String unique() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    public static Supplier supplier(String name, String country) {
        return new Supplier(UUID.randomUUID(), name, "55" + unique(), country, Set.of(country), List.of(), List.of(),
                new Supplier.Contact("Kontakt", "kontakt@example.org", null));
    }

    public static Supplier withAgreement(Supplier s, Set<UUID> organisers, LocalDate signed, LocalDate until) {
        return new Supplier(s.id(), s.name(), s.organisationNumber(), s.country(), s.processingCountries(), s.subProcessors(),
                List.of(new Supplier.ProcessingAgreement(UUID.randomUUID(), "avtal.pdf", signed, until, organisers)), s.contact());
    }

    public static Product digital(Supplier s, String title, String description, List<String> subjects, Attribute... needs) {
        return new Product(UUID.randomUUID(), "T-" + unique(), s.id(), title, description, Product.Kind.DIGITAL, List.of("GR"), List.of("07"),
                subjects, Product.LicenceModel.PER_USER, 12, new BigDecimal("199.00"), "SEK", null, Product.AccessMethod.OPENID_CONNECT,
                java.util.Arrays.stream(needs).map(a -> new Product.DataNeed(a, "Inloggning", 30, Set.of(s.country()))).toList());
    }

    public static Product printed(Supplier s, String title, String schoolForm) {
        return new Product(UUID.randomUUID(), "978" + unique(), s.id(), title, "", Product.Kind.PRINTED_PAPERBACK, List.of(schoolForm),
                List.of("08"), List.of("Dansk"), Product.LicenceModel.PER_USER, 60, new BigDecimal("349.00"), "DKK", null,
                Product.AccessMethod.NONE, List.of());
    }

    /** The same product (id, article number) with another declaration. */
    public static Product withNeeds(Product p, Attribute... needs) {
        return new Product(p.id(), p.articleNumber(), p.supplierId(), p.title(), p.description(), p.kind(), p.schoolForms(), p.grades(),
                p.subjects(), p.licenceModel(), p.licencePeriodMonths(), p.price(), p.currency(), p.trialDays(), p.accessMethod(),
                java.util.Arrays.stream(needs).map(a -> new Product.DataNeed(a, "Identifiering", 0, Set.of("SE"))).toList());
    }
}
