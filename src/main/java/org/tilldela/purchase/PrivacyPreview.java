package org.tilldela.purchase;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.tilldela.catalog.Attribute;

/**
 * What an order line would release: about how many persons, which attributes would reach the supplier
 * (as the release policy would decide today, as if each recipient held the licence), for what purpose,
 * kept how long after the licence ends, and processed where. Protected persons are counted apart: they
 * get a pseudonym and their placement only, never names. {@code nothingReleased}: recipients about whom
 * nothing would go (no processing agreement, an objection). {@code byDeclaration}: recipients without a
 * data-access agreement in force, about whom only what the declaration asks of MINIMAL would go.
 */
public record PrivacyPreview(UUID productId, UUID supplierId, String supplierName, int persons, int protectedPersons, int nothingReleased,
                             List<AttributeReach> attributes, Set<String> processingCountries, int byDeclaration) {

    public PrivacyPreview {
        attributes = List.copyOf(attributes);
        processingCountries = Set.copyOf(processingCountries);
    }

    /** What the terms of an attribute's row come from. */
    public enum Basis {
        /** The data-access agreement in force: its retention and purpose. */
        AGREEMENT,
        /** No agreement is in force for (some of) the persons it would reach: the product's declaration. */
        DECLARATION,
        /** It would reach nobody now: the declaration's terms, for what the supplier asks. */
        NOT_RELEASED
    }

    /**
     * One declared attribute: {@code persons} it would reach under today's data-access agreements (0 when
     * none lets it go yet), why, how long it is kept (days after the licence ends) — as the agreement in force
     * says, the declaration only where no agreement is in force ({@code basis}) — and where it is processed.
     */
    public record AttributeReach(Attribute attribute, int persons, String purpose, int retentionDays, Set<String> countries, Basis basis) {
        public AttributeReach {
            countries = Set.copyOf(countries);
        }
    }

    public boolean releasesNothing() {
        return attributes.stream().allMatch(a -> a.persons() == 0);
    }
}
