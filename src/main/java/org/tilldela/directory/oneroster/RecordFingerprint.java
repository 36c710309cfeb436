package org.tilldela.directory.oneroster;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The fingerprint of a CSV record as one reading of it sees it: SHA-256 (its first 128 bits) of a recipe's version, the
 * import's context (what else decides the reading, the same for every record), which of the recipe's columns the file
 * has, and the raw values of those columns, then whatever else the record's rows are made from — each followed by a NUL.
 * No value that was read into a stored row holds a NUL (the reading refuses one in every column a recipe names), so no
 * two different records run together alike. Two records with the same fingerprint are read into the same rows; the
 * import lets a record whose fingerprint is stored stand without reading it (see {@code RowWriter.keep}). One instance
 * per reading thread.
 *
 * <p>SHA-256, not MD5 as the rows' content hashes: with the SHA instructions of current processors it takes 180 ns for
 * a user's record where MD5 takes 320 (measured here), and a nightly import fingerprints some three million records.
 */
final class RecordFingerprint {

    /** Which columns a reading uses, and its version: see where each recipe is declared. */
    record Recipe(String version, List<String> columns) {
    }

    private final Recipe recipe;
    /** Where the recipe's columns are in the table's rows (-1: not there); null for values that are not a CSV record. */
    private final int[] indices;
    private final MessageDigest sha256;
    /** Version, context and (for a file) which columns it has, as UTF-8: the same start for every record. */
    private final byte[] startBytes;
    /** What is digested for the record at hand, {@link #length} bytes of it; grown for a long record, kept for the next. */
    private byte[] buffer = new byte[512];
    private int length;
    private final byte[] out = new byte[32];
    /** A value given as a string, its characters copied here to be appended as a parsed field's are. */
    private char[] valueChars = new char[256];
    /** Takes a field's characters straight from the parsed record (no string made of them). */
    private final CsvTable.Chars fieldSink = this::append;
    private static final VarHandle BIG_ENDIAN_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** For the records of {@code table}, or (null) for values given one by one. */
    RecordFingerprint(Recipe recipe, String context, CsvTable table) {
        this.recipe = recipe;
        this.indices = table == null ? null : recipe.columns().stream().mapToInt(table::index).toArray();
        StringBuilder present = new StringBuilder();
        if (indices != null) {
            for (int index : indices) {
                present.append(index < 0 ? '-' : '+');
            }
        }
        this.startBytes = (recipe.version() + '\0' + context + '\0' + present + '\0').getBytes(StandardCharsets.UTF_8);
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** The record's fingerprint; {@code more}: what else its rows are made from (empty if nothing). */
    UUID of(CsvTable.Row row, String more) {
        // The UTF-8 of the start, each value and the rest gathered in one buffer and digested in one call: the same bytes
        // as the UTF-8 of them all joined (so the same fingerprints as before). Fed to the digest value by value, its
        // per-call work was about 40 % of a user's fingerprint (550 against 330 ns here, a million records in one JVM).
        length = 0;
        append(startBytes);
        for (int index : indices) {
            if (index >= 0) {
                row.raw(index, fieldSink);
            }
            append((byte) 0);
        }
        append(more);
        append((byte) 0);
        return digest();
    }

    /**
     * The fingerprint of values that are not a CSV record (a row's, as read: a guardian link's), in the recipe's column
     * order; null told apart by a character no value read keeps (leading and trailing control characters are trimmed).
     */
    UUID of(String... values) {
        if (values.length != recipe.columns().size()) {
            throw new IllegalArgumentException(recipe.version() + " takes " + recipe.columns().size() + " values");
        }
        length = 0;
        append(startBytes);
        for (String value : values) {
            append(value == null ? "\u0001" : value);
            append((byte) 0);
        }
        return digest();
    }

    /** The value's UTF-8, as {@link #append(char[], int, int)} makes it of the value's characters. */
    private void append(String value) {
        int n = value.length();
        if (n > valueChars.length) {
            valueChars = new char[Math.max(n, valueChars.length * 2)];
        }
        value.getChars(0, n, valueChars, 0);
        append(valueChars, 0, n);
    }

    /** The characters' UTF-8: ASCII (nearly every value of a package) byte by byte, anything else as the JDK encodes it. */
    private void append(char[] chars, int from, int to) {
        ensure(to - from);
        int start = length;
        for (int i = from; i < to; i++) {
            char c = chars[i];
            if (c >= 0x80) {
                length = start;
                append(new String(chars, from, to - from).getBytes(StandardCharsets.UTF_8));
                return;
            }
            buffer[length++] = (byte) c;
        }
    }

    private void append(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buffer, length, bytes.length);
        length += bytes.length;
    }

    private void append(byte b) {
        ensure(1);
        buffer[length++] = b;
    }

    private void ensure(int more) {
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }

    private UUID digest() {
        sha256.update(buffer, 0, length);
        try {
            sha256.digest(out, 0, out.length);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 gives 32 bytes", e);
        }
        return new UUID((long) BIG_ENDIAN_LONG.get(out, 0), (long) BIG_ENDIAN_LONG.get(out, 8));
    }
}
