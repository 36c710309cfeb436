package org.tilldela.catalog;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/** A supplier of learning materials (leverantör / leverandør) and where it processes personal data. */
public record Supplier(UUID id, String name, String organisationNumber, String country, Set<String> processingCountries,
                       List<SubProcessor> subProcessors, List<ProcessingAgreement> processingAgreements, Contact contact) {

    public Supplier {
        processingCountries = Set.copyOf(processingCountries);
        subProcessors = List.copyOf(subProcessors);
        processingAgreements = List.copyOf(processingAgreements);
    }

    /** Underbiträde / underdatabehandler. */
    public record SubProcessor(String name, String country, String purpose) {
    }

    public record Contact(String name, String email, String phone) {
    }

    /** Personuppgiftsbiträdesavtal / databehandleraftale on file, and the organisers it covers. */
    public record ProcessingAgreement(UUID id, String documentName, LocalDate signedOn, LocalDate validUntil, Set<UUID> organisers) {
        public ProcessingAgreement {
            organisers = Set.copyOf(organisers);
        }

        public boolean covers(UUID organiserId, LocalDate day) {
            return organisers.contains(organiserId) && !day.isBefore(signedOn) && (validUntil == null || !day.isAfter(validUntil));
        }
    }

    /** Whether a signed agreement, valid on that day, covers that organiser: without one no personal data may flow. */
    public boolean hasProcessingAgreementFor(UUID organiserId, LocalDate day) {
        return processingAgreements.stream().anyMatch(a -> a.covers(organiserId, day));
    }

    /** Every country where the supplier or one of its sub-processors processes personal data. */
    public Set<String> allProcessingCountries() {
        Set<String> all = new TreeSet<>(processingCountries);
        subProcessors.forEach(s -> all.add(s.country()));
        return all;
    }
}
