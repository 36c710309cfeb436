package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What to call a civic number: personnummer for a Swede, CPR-nummer for a Dane, a word for either when the number reads both ways. */
class CivicNumbersTest {

    @Test
    void twelveDigitsOrAPlusAreSwedish() {
        assertThat(CivicNumbers.kind("20100101-9804")).isEqualTo("SE");
        assertThat(CivicNumbers.kind("201001019804")).isEqualTo("SE");
        assertThat(CivicNumbers.kind("190101+9806")).isEqualTo("SE");
    }

    @Test
    void tenDigitsAreDecidedByTheDateTheyCanBe() {
        // 31 May 1945 as DDMMYY; as YYMMDD the day would be 45 (nor a samordningsnummer's 61–91)
        assertThat(CivicNumbers.kind("310545-1234")).isEqualTo("DK");
        // 2010-12-31 with a valid check digit; as DDMMYY the day would be 10, month 12, year 31 — a date too, so the check digit decides nothing alone
        assertThat(CivicNumbers.kind("101231-9800")).isNull();
        // a samordningsnummer: day 61 (the 1st + 60), check digit valid; as DDMMYY day 10, month 12, year 61 is a date as well
        assertThat(CivicNumbers.kind("101261-9803")).isNull();
        // 1999-13-…: no month 13, and as DDMMYY neither: no civic number we can name
        assertThat(CivicNumbers.kind("991301-1234")).isNull();
        // a Swedish number whose DDMMYY reading is no date: 1945-05-31 with a valid check digit → day 45 impossible for a CPR
        assertThat(CivicNumbers.kind("450531-" + checked("450531", "123"))).isEqualTo("SE");
    }

    @Test
    void nothingOrSomethingElseIsUndecided() {
        assertThat(CivicNumbers.kind(null)).isNull();
        assertThat(CivicNumbers.kind("12345")).isNull();
    }

    @Test
    void aColumnIsNamedOnlyWhenEveryNumberIsOfOneKind() {
        assertThat(CivicNumbers.shared(List.of("SE", "SE"))).isEqualTo("SE");
        assertThat(CivicNumbers.shared(List.of("SE", "DK"))).isNull();
        assertThat(CivicNumbers.shared(java.util.Arrays.asList("DK", null))).isNull();
        assertThat(CivicNumbers.shared(List.of())).isNull();
    }

    /** The three birth digits and the Luhn check digit completing a ten-digit personnummer. */
    private static String checked(String date, String birth) {
        String nine = date + birth;
        int sum = 0;
        for (int i = 0; i < 9; i++) {
            int d = (nine.charAt(i) - '0') * (i % 2 == 0 ? 2 : 1);
            sum += d > 9 ? d - 9 : d;
        }
        return birth + (10 - sum % 10) % 10;
    }
}
