package org.tilldela.directory.importing;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
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

    /** The format's integers are big-endian (network order). */
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final List<Column> columns;
    /**
     * The bytes encoded and not yet taken: an array of this writer's own, written without locks (a
     * ByteArrayOutputStream under a DataOutputStream took a lock for every integer: a fifth of a first import's reading).
     */
    private byte[] buffer = new byte[1 << 17];
    private int length;

    BinaryCopy(List<Column> columns) {
        this.columns = List.copyOf(columns);
        write(SIGNATURE);
        writeInt(0);
        writeInt(0);
    }

    /** Appends one tuple; {@code values} follow the columns, null for SQL null. */
    void row(Object... values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException("the stage has " + columns.size() + " columns, got " + values.length + " values");
        }
        writeShort(values.length);
        for (int i = 0; i < values.length; i++) {
            field(columns.get(i), values[i]);
        }
    }

    /** Appends the trailer that ends the data. */
    void end() {
        writeShort(-1);
    }

    /** Bytes encoded and not yet taken. */
    int pending() {
        return length;
    }

    /** Hands the bytes encoded so far to {@code sink} and forgets them. */
    void drainTo(OutputStream sink) throws IOException {
        sink.write(buffer, 0, length);
        length = 0;
    }

    private void field(Column column, Object value) {
        if (value == null) {
            writeInt(-1);
            return;
        }
        switch (column.kind()) {
            case UUID -> {
                UUID u = value instanceof UUID id ? id : UUID.fromString(value.toString());
                writeInt(16);
                writeLong(u.getMostSignificantBits());
                writeLong(u.getLeastSignificantBits());
            }
            case TEXT -> text(value instanceof String s ? s : RowWriter.toCopyText(value));
            case DATE -> {
                LocalDate d = value instanceof LocalDate date ? date : LocalDate.parse(value.toString());
                writeInt(4);
                writeInt(Math.toIntExact(d.toEpochDay() - POSTGRES_EPOCH_DAY));
            }
            case INT8 -> {
                writeInt(8);
                writeLong(((Number) value).longValue());
            }
            case INT4 -> {
                writeInt(4);
                writeInt(Math.toIntExact(((Number) value).longValue()));
            }
            case BOOL -> {
                writeInt(1);
                writeByte((Boolean) value ? 1 : 0);
            }
            case TEXT_ARRAY -> textArray(column, (String[]) value);
        }
    }

    private void text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeInt(b.length);
        write(b);
    }

    /** One dimension, lower bound 1, no nulls; an empty array has no dimensions, as PostgreSQL writes it. */
    private void textArray(Column column, String[] elements) {
        byte[][] encoded = new byte[elements.length][];
        int size = 12 + (elements.length > 0 ? 8 : 0);
        for (int i = 0; i < elements.length; i++) {
            encoded[i] = elements[i].getBytes(StandardCharsets.UTF_8);
            size += 4 + encoded[i].length;
        }
        writeInt(size);
        writeInt(elements.length > 0 ? 1 : 0);
        writeInt(0);
        writeInt(column.elementOid());
        if (elements.length > 0) {
            writeInt(elements.length);
            writeInt(1);
        }
        for (byte[] e : encoded) {
            writeInt(e.length);
            write(e);
        }
    }

    private void writeShort(int v) {
        SHORT.set(room(2), length, (short) v);
        length += 2;
    }

    private void writeInt(int v) {
        INT.set(room(4), length, v);
        length += 4;
    }

    private void writeLong(long v) {
        LONG.set(room(8), length, v);
        length += 8;
    }

    private void writeByte(int v) {
        room(1)[length++] = (byte) v;
    }

    private void write(byte[] b) {
        System.arraycopy(b, 0, room(b.length), length, b.length);
        length += b.length;
    }

    /** The buffer, grown to take {@code n} more bytes. */
    private byte[] room(int n) {
        if (length + n > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + n));
        }
        return buffer;
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
