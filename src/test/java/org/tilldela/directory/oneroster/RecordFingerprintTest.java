package org.tilldela.directory.oneroster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.tilldela.directory.importing.Problems;

/**
 * A record's fingerprint covers the columns its recipe names and nothing else; which of them the file has, the import's
 * context and the version count too; values do not run together.
 */
class RecordFingerprintTest {

    private static final RecordFingerprint.Recipe RECIPE = new RecordFingerprint.Recipe("test 1", List.of("sourcedId", "role", "grades"));

    @Test
    void onlyTheRecipesColumnsAndItsContextCount() throws IOException {
        List<UUID> fingerprints = fingerprints(RECIPE, "GR", """
                sourcedId,dateLastModified,role,grades
                u1,2026-08-01,student,07
                u1,2026-09-30,student,07
                u1,2026-08-01,student,08
                u1,2026-08-01,"student",07
                u1,2026-08-01,student ,07
                u1,2026-08-01,,student07
                u1,2026-08-01,student07,
                """);

        assertThat(fingerprints.get(1)).as("a column outside the recipe").isEqualTo(fingerprints.get(0));
        assertThat(fingerprints.get(3)).as("quoting is not content").isEqualTo(fingerprints.get(0));
        assertThat(fingerprints.get(2)).isNotEqualTo(fingerprints.get(0));
        assertThat(fingerprints.get(4)).as("raw, not trimmed").isNotEqualTo(fingerprints.get(0));
        assertThat(fingerprints.get(5)).as("values do not run together").isNotEqualTo(fingerprints.get(6));

        String file = "sourcedId,role,grades\nu1,student,07\n";
        assertThat(fingerprints(RECIPE, "GR", file).getFirst()).isEqualTo(fingerprints.get(0));
        assertThat(fingerprints(RECIPE, "GR,GY", file).getFirst()).as("context").isNotEqualTo(fingerprints.get(0));
        assertThat(fingerprints(new RecordFingerprint.Recipe("test 2", RECIPE.columns()), "GR", file).getFirst()).as("version")
                .isNotEqualTo(fingerprints.get(0));
        assertThat(fingerprints(RECIPE, "GR", "sourcedId,role,grades\nu1,student,\n").getFirst())
                .as("an empty column is not a missing one")
                .isNotEqualTo(fingerprints(RECIPE, "GR", "sourcedId,role\nu1,student\n").getFirst());
    }

    @Test
    void valuesGivenOneByOneAreFingerprintedAlike() {
        RecordFingerprint links = new RecordFingerprint(new RecordFingerprint.Recipe("link 1", List.of("child", "guardian", "relation")), "", null);
        assertThat(links.of("p1", "g1", "GUARDIAN")).isEqualTo(links.of("p1", "g1", "GUARDIAN"))
                .isNotEqualTo(links.of("p1", "g1", "PARENT")).isNotEqualTo(links.of("g1", "p1", "GUARDIAN"))
                .isNotEqualTo(links.of("p1g", "1", "GUARDIAN"));
    }

    @Test
    void aFingerprintIsTheSha256OfItsTextJoinedWhateverTheCharactersSoStoredFingerprintsStayValid() throws Exception {
        // the definition stored fingerprints were made with: the first 128 bits of SHA-256 over the UTF-8 of version,
        // context, the columns present, each value and what else the rows are made of, each followed by a NUL
        // and a record longer than the buffer the digest starts with, its last character outside ASCII
        String csv = "sourcedId,role,grades\nu1,Łukasz 李 😀,Åsa\nu2,student,07\nu3,Zoë,\nu4," + "x".repeat(1500) + "é,07\n"
                + "u5,\"Anna \"\"Ankan\"\" Berg, \"\"x\"\"\r\nrad två\",07\n";
        List<UUID> fingerprints = new ArrayList<>();
        byte[] bytes = csv.getBytes(StandardCharsets.UTF_8);
        CsvTable table = CsvTable.open("t.csv", () -> new ByteArrayInputStream(bytes), n -> { }, List.of("sourcedId"), new Problems(), 10_000);
        RecordFingerprint fingerprint = new RecordFingerprint(RECIPE, "GR", table);
        List<String[]> rows = new ArrayList<>();
        table.forEachRow(r -> {
            fingerprints.add(fingerprint.of(r, "more ø"));
            rows.add(new String[] {r.raw("sourcedId"), r.raw("role"), r.raw("grades")});
        });

        assertThat(fingerprints).hasSize(5);
        assertThat(rows.get(4)[1]).as("unquoted, quotes undoubled, the line break kept").isEqualTo("Anna \"Ankan\" Berg, \"x\"\r\nrad två");
        for (int i = 0; i < rows.size(); i++) {
            String[] v = rows.get(i);
            String text = "test 1\0GR\0+++\0" + v[0] + "\0" + v[1] + "\0" + v[2] + "\0more ø\0";
            java.nio.ByteBuffer digest = java.nio.ByteBuffer.wrap(java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
            assertThat(fingerprints.get(i)).as(v[1]).isEqualTo(new UUID(digest.getLong(), digest.getLong()));
        }
        RecordFingerprint links = new RecordFingerprint(new RecordFingerprint.Recipe("link 1", List.of("child", "guardian")), "", null);
        java.nio.ByteBuffer digest = java.nio.ByteBuffer.wrap(java.security.MessageDigest.getInstance("SHA-256")
                .digest("link 1\0\0\0Ørsted\0\u0001\0".getBytes(StandardCharsets.UTF_8)));
        assertThat(links.of("Ørsted", null)).isEqualTo(new UUID(digest.getLong(), digest.getLong()));
    }

    private static List<UUID> fingerprints(RecordFingerprint.Recipe recipe, String context, String csv) throws IOException {
        byte[] bytes = csv.getBytes(StandardCharsets.UTF_8);
        Problems problems = new Problems();
        CsvTable table = CsvTable.open("t.csv", () -> new ByteArrayInputStream(bytes), n -> { }, List.of("sourcedId"), problems, 10_000);
        RecordFingerprint fingerprint = new RecordFingerprint(recipe, context, table);
        List<UUID> out = new ArrayList<>();
        table.forEachRow(r -> out.add(fingerprint.of(r, "")));
        problems.throwIfAny();
        return out;
    }
}
