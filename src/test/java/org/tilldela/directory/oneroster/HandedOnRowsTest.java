package org.tilldela.directory.oneroster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.tilldela.directory.importing.ImportLimitExceededException;
import org.tilldela.directory.importing.Problems;

/** Rows parsed on one thread and handled on another ({@link HandedOnRows}): in order, each once, failures thrown back. */
class HandedOnRowsTest {

    private static CsvTable table(String csv, int maxLineLength) throws Exception {
        byte[] bytes = csv.getBytes(StandardCharsets.UTF_8);
        return CsvTable.open("users.csv", () -> new ByteArrayInputStream(bytes), n -> { }, List.of("sourcedId"), new Problems(), maxLineLength);
    }

    private static String rows(int n) {
        StringBuilder csv = new StringBuilder("sourcedId,givenName\n");
        for (int i = 1; i <= n; i++) {
            csv.append("u").append(i).append(",Name ").append(i).append('\n');
        }
        return csv.toString();
    }

    @Test
    void everyRowIsHandledOnceInOrderOnOneOtherThread() throws Exception {
        List<String> seen = new ArrayList<>();
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        List<Long> lines = new ArrayList<>();

        HandedOnRows.forEachRow(table(rows(5_000), 1000), "rows", r -> {
            seen.add(r.required("sourcedId"));
            lines.add(r.line());
            threads.add(Thread.currentThread());
        });

        assertThat(seen).hasSize(5_000).startsWith("u1", "u2").endsWith("u4999", "u5000").doesNotHaveDuplicates();
        assertThat(lines).isSorted().first().isEqualTo(2L);
        assertThat(threads).singleElement().satisfies(t -> {
            assertThat(t).isNotSameAs(Thread.currentThread());
            assertThat(t.getName()).isEqualTo("rows");
        });
    }

    @Test
    void whatTheHandlerThrowsStopsTheParsingAndIsThrownHere() throws Exception {
        List<String> seen = new ArrayList<>();
        assertThatThrownBy(() -> HandedOnRows.forEachRow(table(rows(200_000), 1000), "rows", r -> {
            String id = r.required("sourcedId");
            if (id.equals("u700")) {
                throw new IllegalArgumentException("no " + id);
            }
            seen.add(id);
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("no u700");
        assertThat(seen).hasSize(699).last().isEqualTo("u699");
    }

    @Test
    void aRowBeyondTheLimitStopsTheReadingWithoutWaitingForTheHandler() throws Exception {
        String csv = rows(3_000) + "u-long," + "x".repeat(5_000) + "\n" + rows(10).substring("sourcedId,givenName\n".length());
        List<String> seen = new ArrayList<>();
        assertThatThrownBy(() -> HandedOnRows.forEachRow(table(csv, 1000), "rows", r -> seen.add(r.required("sourcedId"))))
                .isInstanceOf(ImportLimitExceededException.class);
        // the rows before it were parsed; what was handed on before the parsing failed is not handled further
        assertThat(seen).doesNotContain("u-long").allSatisfy(id -> assertThat(id).startsWith("u"));
        assertThat(seen.size()).isLessThanOrEqualTo(3_000);
    }
}
