package org.tilldela.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** When a supplier's processing agreement lets personal data flow to it for an organiser on a day, and where it processes data. */
class SupplierAgreementTest {

    private static final UUID MALMO = UUID.randomUUID();
    private static final UUID AARHUS = UUID.randomUUID();
    private static final LocalDate SIGNED = LocalDate.of(2026, 1, 15);
    private static final LocalDate UNTIL = LocalDate.of(2027, 1, 14);

    private static Supplier with(Supplier.ProcessingAgreement... agreements) {
        return new Supplier(UUID.randomUUID(), "Förlaget AB", "556000-0000", "SE", Set.of("SE"),
                List.of(new Supplier.SubProcessor("Cloudhost Inc.", "US", "Analys")), List.of(agreements), null);
    }

    @Test
    void noAgreementCoversNobody() {
        assertThat(with().hasProcessingAgreementFor(MALMO, SIGNED)).isFalse();
    }

    @Test
    void anAgreementCoversItsOrganisersFromSigningToItsLastDayInclusive() {
        Supplier s = with(new Supplier.ProcessingAgreement(UUID.randomUUID(), "pub.pdf", SIGNED, UNTIL, Set.of(MALMO)));
        assertThat(s.hasProcessingAgreementFor(MALMO, SIGNED.minusDays(1))).isFalse();
        assertThat(s.hasProcessingAgreementFor(MALMO, SIGNED)).isTrue();
        assertThat(s.hasProcessingAgreementFor(MALMO, UNTIL)).isTrue();
        assertThat(s.hasProcessingAgreementFor(MALMO, UNTIL.plusDays(1))).isFalse();
        assertThat(s.hasProcessingAgreementFor(AARHUS, SIGNED)).as("another organiser is not covered").isFalse();
    }

    @Test
    void anOpenEndedAgreementRunsUntilTerminatedAndAnyOfSeveralSuffices() {
        Supplier s = with(new Supplier.ProcessingAgreement(UUID.randomUUID(), "old.pdf", SIGNED.minusYears(3), SIGNED.minusYears(1), Set.of(AARHUS)),
                new Supplier.ProcessingAgreement(UUID.randomUUID(), "new.pdf", SIGNED, null, Set.of(AARHUS, MALMO)));
        assertThat(s.hasProcessingAgreementFor(AARHUS, SIGNED.minusYears(2))).isTrue();
        assertThat(s.hasProcessingAgreementFor(AARHUS, SIGNED.minusMonths(6))).as("between the two agreements").isFalse();
        assertThat(s.hasProcessingAgreementFor(AARHUS, SIGNED.plusYears(30))).isTrue();
        assertThat(s.hasProcessingAgreementFor(MALMO, SIGNED.plusYears(30))).isTrue();
    }

    @Test
    void subProcessorsCountAmongTheProcessingCountries() {
        assertThat(with().allProcessingCountries()).containsExactly("SE", "US");
    }
}
