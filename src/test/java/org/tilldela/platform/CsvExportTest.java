package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Exports open in Excel as written: UTF-8 with a byte order mark, and nothing a spreadsheet would run as a formula. */
class CsvExportTest {

    @Test
    void utf8WithAByteOrderMarkAndEveryFormulaStartKeptAsText() {
        byte[] file = CsvExport.of(List.of("Namn", "Anteckning"), List.of(
                List.of("Bergkvist, Östen", "=HYPERLINK(\"http://example.org\")"),
                List.of("+46 70", "-1"),
                List.of("@SUM(A1)", "\tflik"),
                Arrays.asList("\rretur", null),
                List.of("vanlig", "a=b")));
        assertThat(Arrays.copyOf(file, 3)).containsExactly(0xEF, 0xBB, 0xBF);
        String text = new String(file, 3, file.length - 3, StandardCharsets.UTF_8);
        assertThat(text).startsWith("Namn,Anteckning\r\n")
                .contains("\"Bergkvist, Östen\",\"'=HYPERLINK(\"\"http://example.org\"\")\"")
                .contains("'+46 70,'-1").contains("'@SUM(A1),'\tflik").contains("\"'\rretur\",\r\n").contains("vanlig,a=b");
    }
}
