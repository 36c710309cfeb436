package org.tilldela.directory;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A civic number is shown as its birth date only, whatever its spelling; anything else shows nothing. */
class CivicNumberMaskTest {

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
            "20100304-1234, 20100304-****",
            "201003041234,  20100304-****",
            "100304-1234,   100304-****",
            "100304+1234,   100304-****",
            "1003041234,    100304-****",
            "040310-1234,   040310-****",
            "abc,           null",
            "12345,         null",
            "20100304-12,   null"})
    void showsTheBirthDateOnly(String civic, String shown) {
        assertThat(OrganisationBrowser.maskCivicNumber(civic)).isEqualTo(shown);
    }
}
