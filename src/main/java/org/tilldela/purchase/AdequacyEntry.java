package org.tilldela.purchase;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;

/**
 * A country personal data may be processed in: an EU/EEA state, or a third country with an EU adequacy
 * decision (GDPR art. 45), valid from a date and, if it was ended or struck down, until one (inclusive).
 */
public record AdequacyEntry(String country, String name, Basis basis, String decision, LocalDate decisionDate, LocalDate validFrom,
                            LocalDate validUntil, String note, String updatedBy, Instant updatedAt) {

    public enum Basis { EU_EEA, ADEQUACY_DECISION }

    public AdequacyEntry {
        Objects.requireNonNull(country, "country");
        country = country.strip().toUpperCase(java.util.Locale.ROOT);
        if (!country.matches("[A-Z]{2}")) {
            throw new IllegalArgumentException("A country is given by its two-letter ISO 3166 code, e.g. JP.");
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("The country needs a name.");
        }
        if (decision == null || decision.isBlank()) {
            throw new IllegalArgumentException("Name the decision (or treaty) the entry rests on.");
        }
        Objects.requireNonNull(basis, "basis");
        Objects.requireNonNull(validFrom, "validFrom");
        if (validUntil != null && validUntil.isBefore(validFrom)) {
            throw new IllegalArgumentException("Valid until cannot be before valid from.");
        }
    }

    public boolean validOn(LocalDate day) {
        return !day.isBefore(validFrom) && (validUntil == null || !day.isAfter(validUntil));
    }
}
