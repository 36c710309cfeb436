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
 * nothing would go (no processing agreement, an objection).
 */
public record PrivacyPreview(UUID productId, UUID supplierId, String supplierName, int persons, int protectedPersons, int nothingReleased,
                             List<AttributeReach> attributes, Set<String> processingCountries) {

    public PrivacyPreview {
        attributes = List.copyOf(attributes);
        processingCountries = Set.copyOf(processingCountries);
    }

    /**
     * One declared attribute: {@code persons} it would reach under today's data-access agreements (0 when
     * none lets it go yet), why, how long it is kept (days after the licence ends), where it is processed.
     */
    public record AttributeReach(Attribute attribute, int persons, String purpose, int retentionDays, Set<String> countries) {
        public AttributeReach {
            countries = Set.copyOf(countries);
        }
    }

    public boolean releasesNothing() {
        return attributes.stream().allMatch(a -> a.persons() == 0);
    }
}
