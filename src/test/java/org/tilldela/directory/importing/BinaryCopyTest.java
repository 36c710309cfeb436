package org.tilldela.directory.importing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.springframework.beans.factory.annotation.Autowired;
import org.tilldela.IntegrationTest;

/**
 * The binary COPY rows an import stages, read by the real server: each kind of column, nulls, empty and
 * non-ASCII values, a date before PostgreSQL's epoch, and a row the server must refuse.
 */
class BinaryCopyTest extends IntegrationTest {

    @Autowired
    DataSource dataSource;

    private static final List<BinaryCopy.Column> COLUMNS = List.of(
            new BinaryCopy.Column("u", BinaryCopy.Kind.UUID, 0),
            new BinaryCopy.Column("t", BinaryCopy.Kind.TEXT, 0),
            new BinaryCopy.Column("d", BinaryCopy.Kind.DATE, 0),
            new BinaryCopy.Column("n", BinaryCopy.Kind.INT8, 0),
            new BinaryCopy.Column("i", BinaryCopy.Kind.INT4, 0),
            new BinaryCopy.Column("b", BinaryCopy.Kind.BOOL, 0),
            new BinaryCopy.Column("a", BinaryCopy.Kind.TEXT_ARRAY, 25));

    @Test
    void everyKindOfColumnArrivesAsWritten() throws Exception {
        UUID id = UUID.randomUUID();
        BinaryCopy copy = new BinaryCopy(COLUMNS);
        copy.row(id, "Åsa \"Ni\\na\", Øre\r\nline", LocalDate.of(1999, 12, 31), 5_000_000_000L, -7, true, new String[] {"GR", "Fö,rsk", ""});
        copy.row(id.toString(), "", LocalDate.of(2026, 12, 6), 0L, 0, false, new String[0]);
        copy.row(null, null, null, null, null, null, null);
        copy.row(id, Marking.PROTECTED, "2000-01-01", 1L, 1, true, new String[] {"NULL"});
        copy.end();

        List<List<String>> rows = copyIn(copy);

        assertThat(rows).containsExactly(
                List.of(id.toString(), "Åsa \"Ni\\na\", Øre\r\nline", "1999-12-31", "5000000000", "-7", "t", "3|GR;Fö,rsk;"),
                List.of(id.toString(), "", "2026-12-06", "0", "0", "f", "0|"),
                java.util.Arrays.asList(null, null, null, null, null, null, null),
                List.of(id.toString(), "PROTECTED", "2000-01-01", "1", "1", "t", "1|NULL"));
    }

    @Test
    void rowsBeyondTheBufferArriveWhole() throws Exception {
        // the encoder's buffer starts at 128 KB and grows: one value larger than it, and many rows before any is taken
        String large = "Å".repeat(150_000) + "end";
        BinaryCopy copy = new BinaryCopy(COLUMNS);
        copy.row(UUID.randomUUID(), large, null, null, null, null, null);
        for (int i = 0; i < 20_000; i++) {
            copy.row(null, "row " + i, null, (long) i, null, null, null);
        }
        copy.end();
        assertThat(copy.pending()).isGreaterThan(1 << 17);

        List<List<String>> rows = copyIn(copy);

        assertThat(rows).hasSize(20_001);
        assertThat(rows.getFirst().get(1)).isEqualTo(large);
        assertThat(rows.getLast().subList(1, 4)).containsExactly("row 19999", null, "19999");
    }

    @Test
    void theServerRefusesWhatItsTypeCannotHold() throws Exception {
        BinaryCopy copy = new BinaryCopy(COLUMNS);
        copy.row(UUID.randomUUID(), "a\u0000b", LocalDate.of(2026, 1, 1), 1L, 1, true, new String[0]);
        copy.end();
        assertThatThrownBy(() -> copyIn(copy)).hasMessageContaining("0x00");
    }

    @Test
    void aTypeItCannotSendIsNamedNotGuessed() {
        assertThat(BinaryCopy.kindOf("uuid", "b", null)).isEqualTo(BinaryCopy.Kind.UUID);
        assertThat(BinaryCopy.kindOf("protection", "e", null)).isEqualTo(BinaryCopy.Kind.TEXT);
        assertThat(BinaryCopy.kindOf("_text", "b", "text")).isEqualTo(BinaryCopy.Kind.TEXT_ARRAY);
        assertThat(BinaryCopy.kindOf("numeric", "b", null)).isNull();
        assertThat(BinaryCopy.kindOf("_int4", "b", "int4")).isNull();
    }

    /** An enum value for a text column is sent as its name. */
    private enum Marking { PROTECTED }

    private List<List<String>> copyIn(BinaryCopy copy) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        copy.drainTo(bytes);
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            try {
                st.execute("create temp table copied (u uuid, t text, d date, n bigint, i int, b boolean, a text[], ord serial) on commit drop");
                c.unwrap(PGConnection.class).getCopyAPI().copyIn("copy copied (u, t, d, n, i, b, a) from stdin with (format binary)",
                        new ByteArrayInputStream(bytes.toByteArray()));
                List<List<String>> rows = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("select u, t, d, n, i, b, cardinality(a) || '|' || array_to_string(a, ';'), a is null "
                        + "from copied order by ord")) {
                    while (rs.next()) {
                        List<String> row = new ArrayList<>();
                        for (int i = 1; i <= 6; i++) {
                            row.add(rs.getString(i));
                        }
                        row.add(rs.getBoolean(8) ? null : rs.getString(7));
                        rows.add(row);
                    }
                }
                return rows;
            } finally {
                c.rollback();
            }
        }
    }
}
