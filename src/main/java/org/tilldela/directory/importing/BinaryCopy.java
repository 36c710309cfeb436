package org.tilldela.directory.importing;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

/**
 * Rows in PostgreSQL's binary COPY format (PostgreSQL documentation, "COPY", section "Binary Format"), for the
 * staging tables of an import. The server reads each field with its type's binary input, with no CSV to split
 * and no uuid or date text to parse: at 1,000,000 persons the memberships alone took PostgreSQL 8.9 s to read as
 * CSV, one core, while nothing else could go on.
 *
 * <p>Each column is encoded by the kind of its type as the server reports it ({@link Column}), so the stage's
 * definition stays in SQL. A value the column's kind cannot take is an error, never a silent conversion.
 */
final class BinaryCopy {

    /** PGCOPY\n\377\r\n\0, then the flags (no OIDs) and the length of the header extension (none). */
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    /** 2000-01-01, PostgreSQL's epoch for dates, as days since 1970-01-01. */
    private static final long POSTGRES_EPOCH_DAY = LocalDate.of(2000, 1, 1).toEpochDay();

    /** How one column's values are sent. */
    enum Kind {
        UUID, TEXT, DATE, INT8, INT4, BOOL, TEXT_ARRAY
    }

    /** A column of the staging table: its kind, and for an array the element type's OID, which the format names. */
    record Column(String name, Kind kind, int elementOid) {
    }

    private final List<Column> columns;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 17);
    private final DataOutputStream out = new DataOutputStream(bytes);

    BinaryCopy(List<Column> columns) {
        this.columns = List.copyOf(columns);
        try {
            out.write(SIGNATURE);
            out.writeInt(0);
            out.writeInt(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Appends one tuple; {@code values} follow the columns, null for SQL null. */
    void row(Object... values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException("the stage has " + columns.size() + " columns, got " + values.length + " values");
        }
        try {
            out.writeShort(values.length);
            for (int i = 0; i < values.length; i++) {
                field(columns.get(i), values[i]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Appends the trailer that ends the data. */
    void end() {
        try {
            out.writeShort(-1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes encoded and not yet taken. */
    int pending() {
        return bytes.size();
    }

    /** Hands the bytes encoded so far to {@code sink} and forgets them. */
    void drainTo(OutputStream sink) throws IOException {
        bytes.writeTo(sink);
        bytes.reset();
    }

    private void field(Column column, Object value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        switch (column.kind()) {
            case UUID -> {
                UUID u = value instanceof UUID id ? id : UUID.fromString(value.toString());
                out.writeInt(16);
                out.writeLong(u.getMostSignificantBits());
                out.writeLong(u.getLeastSignificantBits());
            }
            case TEXT -> text(value instanceof String s ? s : RowWriter.toCopyText(value));
            case DATE -> {
                LocalDate d = value instanceof LocalDate date ? date : LocalDate.parse(value.toString());
                out.writeInt(4);
                out.writeInt(Math.toIntExact(d.toEpochDay() - POSTGRES_EPOCH_DAY));
            }
            case INT8 -> {
                out.writeInt(8);
                out.writeLong(((Number) value).longValue());
            }
            case INT4 -> {
                out.writeInt(4);
                out.writeInt(Math.toIntExact(((Number) value).longValue()));
            }
            case BOOL -> {
                out.writeInt(1);
                out.writeByte((Boolean) value ? 1 : 0);
            }
            case TEXT_ARRAY -> textArray(column, (String[]) value);
        }
    }

    private void text(String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    /** One dimension, lower bound 1, no nulls; an empty array has no dimensions, as PostgreSQL writes it. */
    private void textArray(Column column, String[] elements) throws IOException {
        byte[][] encoded = new byte[elements.length][];
        int size = 12 + (elements.length > 0 ? 8 : 0);
        for (int i = 0; i < elements.length; i++) {
            encoded[i] = elements[i].getBytes(StandardCharsets.UTF_8);
            size += 4 + encoded[i].length;
        }
        out.writeInt(size);
        out.writeInt(elements.length > 0 ? 1 : 0);
        out.writeInt(0);
        out.writeInt(column.elementOid());
        if (elements.length > 0) {
            out.writeInt(elements.length);
            out.writeInt(1);
        }
        for (byte[] e : encoded) {
            out.writeInt(e.length);
            out.write(e);
        }
    }

    /**
     * The kind a column of this type is sent as, from {@code pg_type} of its base type (a domain's own base):
     * its name, its type kind ({@code typtype}) and, for an array, its element type's name. Null when the stage
     * has a type this encoder does not know, which fails the import at its start, not at a row.
     */
    static Kind kindOf(String typeName, String typeType, String elementTypeName) {
        if ("e".equals(typeType)) {
            return Kind.TEXT; // an enum's binary form is its label
        }
        return switch (typeName) {
            case "uuid" -> Kind.UUID;
            case "text", "varchar", "bpchar" -> Kind.TEXT;
            case "date" -> Kind.DATE;
            case "int8" -> Kind.INT8;
            case "int4" -> Kind.INT4;
            case "bool" -> Kind.BOOL;
            case "_text", "_varchar" -> "text".equals(elementTypeName) || "varchar".equals(elementTypeName) ? Kind.TEXT_ARRAY : null;
            default -> null;
        };
    }
}
