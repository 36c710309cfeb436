package org.tilldela.directory.oneroster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.tilldela.directory.importing.Problems;

/** OneRoster's multi-valued fields: each value once, in the order first given, trimmed, empty ones left out. */
class CsvTableTest {

    private static List<List<String>> lists(String csv) throws Exception {
        byte[] bytes = csv.getBytes(StandardCharsets.UTF_8);
        CsvTable table = CsvTable.open("users.csv", () -> new ByteArrayInputStream(bytes), n -> { }, List.of("sourcedId"), new Problems(), 10_000_000);
        List<List<String>> found = new ArrayList<>();
        table.forEachRow(row -> found.add(row.list("agentSourcedIds")));
        return found;
    }

    @Test
    void aFewValuesAreEachKeptOnceInTheirOrder() throws Exception {
        assertThat(lists("sourcedId,agentSourcedIds\nu1,\"g2, g1,g2,,g3 \"\nu2,g1\nu3,\n"))
                .containsExactly(List.of("g2", "g1", "g3"), List.of("g1"), List.of());
    }

    @Test
    void aRowOfAHundredThousandValuesIsReadOnceEachInItsOrder() throws Exception {
        // every value twice, the second half in reverse: in a list compared value by value this took minutes
        List<String> values = IntStream.range(0, 100_000).mapToObj(i -> "guardian-" + i).toList();
        List<String> twice = new ArrayList<>(values);
        twice.addAll(values.reversed());
        List<List<String>> found = lists("sourcedId,agentSourcedIds\nu1,\"" + String.join(",", twice) + "\"\n");
        assertThat(found).hasSize(1);
        assertThat(found.getFirst()).isEqualTo(values);
    }
}
