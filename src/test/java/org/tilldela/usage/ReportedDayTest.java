package org.tilldela.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.api.Test;

/** A reported day is read by hand when it has ISO 8601's shape, and refused exactly as LocalDate.parse refuses it. */
class ReportedDayTest {

    @Test
    void isoDaysAreReadAndEverythingElseIsRefusedAsTheFormatterWould() {
        assertThat(UsageReports.day("2026-12-04")).isEqualTo(LocalDate.of(2026, 12, 4));
        assertThat(UsageReports.day("2024-02-29")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(UsageReports.day("+12026-01-01")).as("the formatter's own forms still work").isEqualTo(LocalDate.of(12026, 1, 1));
        for (String bad : new String[] {"2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "2026-1a-01", "20261204", "2026-12-4", "", "2026/12/04"}) {
            assertThatThrownBy(() -> UsageReports.day(bad)).as(bad).isInstanceOf(DateTimeParseException.class);
            assertThatThrownBy(() -> LocalDate.parse(bad)).as(bad).isInstanceOf(DateTimeParseException.class);
        }
    }
}
