package org.tilldela.catalog;

import java.math.BigDecimal;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** An article in the catalogue (artikel / vare), with its data-needs declaration. */
public record Product(UUID id, String articleNumber, UUID supplierId, String title, String description, Kind kind,
                      List<String> schoolForms, List<String> grades, List<String> subjects, LicenceModel licenceModel,
                      int licencePeriodMonths, BigDecimal price, String currency, Integer trialDays, AccessMethod accessMethod,
                      List<DataNeed> dataNeeds) {

    public Product {
        schoolForms = List.copyOf(schoolForms);
        grades = List.copyOf(grades);
        subjects = List.copyOf(subjects);
        dataNeeds = List.copyOf(dataNeeds);
    }

    public enum Kind { PRINTED_BOUND, PRINTED_PAPERBACK, DIGITAL, BUNDLE }

    public enum LicenceModel { PER_USER, PER_SCHOOL_UNIT, PER_ORGANISER }

    public enum AccessMethod { OPENID_CONNECT, SCIM, ROSTER_PULL, NONE }

    /** One line of the declaration: this attribute, for this purpose, kept this long after the licence ends, processed there. */
    public record DataNeed(Attribute attribute, String purpose, int retentionDays, Set<String> processingCountries) {
        public DataNeed {
            processingCountries = Set.copyOf(processingCountries);
            if (retentionDays < 0) {
                throw new IllegalArgumentException("retention cannot be negative");
            }
        }
    }

    public boolean isDigital() {
        return kind == Kind.DIGITAL || kind == Kind.BUNDLE && !dataNeeds.isEmpty();
    }

    public boolean hasTrial() {
        return trialDays != null && trialDays > 0;
    }

    /** The attributes the product declares it needs; nothing outside this set may ever reach its supplier. */
    public Set<Attribute> declaredAttributes() {
        Set<Attribute> set = EnumSet.noneOf(Attribute.class);
        dataNeeds.forEach(n -> set.add(n.attribute()));
        return set;
    }

    public Optional<DataNeed> need(Attribute attribute) {
        return dataNeeds.stream().filter(n -> n.attribute() == attribute).findFirst();
    }

    /** The longest any declared attribute is kept after the licence ends. */
    public int longestRetentionDays() {
        return dataNeeds.stream().mapToInt(DataNeed::retentionDays).max().orElse(0);
    }
}
