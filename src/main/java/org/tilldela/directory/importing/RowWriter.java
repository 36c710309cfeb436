package org.tilldela.directory.importing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.apache.commons.csv.CSVFormat;

/**
 * Streams rows of one entity into its staging table with PostgreSQL COPY (CSV format, written by
 * Commons CSV), computing each row's id and content hash on the way.
 */
public final class RowWriter implements AutoCloseable {

    private static final char FIELD_SEPARATOR = '\u001f';

    /** How PostgreSQL's COPY reads CSV (null unquoted and empty, every other value quoted). */
    private static final CSVFormat COPY_CSV = CSVFormat.POSTGRESQL_CSV;

    /**
     * Rows are formatted by Commons CSV's {@link CSVFormat} into a plain {@link StringBuilder} and written to the target
     * 64 K characters at a time. A {@code CSVPrinter} on the target took a lock for every value, and the
     * {@code BufferedWriter} under it another for every append: together the largest part of reading a package (JFR: 38 %
     * of the readers' samples in a 1,000,000-person import).
     */
    private static final int FLUSH_AT = 1 << 16;

    private final Entity entity;
    /** A row's id from its source id (see {@link StagedSnapshot#id}). */
    private final Function<String, UUID> idOf;
    /** Told whether everything was written; a deferred writer copies its file in (or not) and removes it. */
    private final Consumer<Boolean> afterClose;
    /** Rows formatted for COPY, handed to {@link #target} in large pieces. */
    private final StringBuilder formatted = new StringBuilder(FLUSH_AT + 4096);
    private final Writer target;
    private final MessageDigest md5;
    private final List<Object> record = new ArrayList<>();
    private final StringBuilder hashInput = new StringBuilder(256);
    /** What is stored already (null when everything read is to be staged). */
    private final Supplier<KnownRows> knownSupplier;
    private KnownRows known;
    private boolean knownResolved;
    private final Problems problems;
    private final StagedSnapshot.Origin origin;
    /** Told, at close, how many rows were recognised as unchanged. */
    private final LongConsumer unchangedSink;
    private long rows;
    private long unchanged;

    /**
     * @param target        where the COPY-format CSV goes: a COPY stream, or a file copied in later
     * @param afterClose    run once the target is closed (for a file: copy it into the stage)
     */
    RowWriter(Writer target, Consumer<Boolean> afterClose, Entity entity, Function<String, UUID> idOf, Supplier<KnownRows> known, Problems problems,
              StagedSnapshot.Origin origin, LongConsumer unchangedSink) {
        this.entity = entity;
        this.idOf = idOf;
        this.knownSupplier = known;
        this.problems = problems;
        this.origin = origin;
        this.unchangedSink = unchangedSink;
        this.afterClose = afterClose;
        this.target = target;
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The COPY statement that loads what a writer of this entity writes. */
    static String copySql(Entity entity) {
        return "copy " + entity.stageTable() + " (id, source_id, " + String.join(", ", entity.columns())
                + ", content_hash, line_no, ref_a, ref_b) from stdin with (format csv)";
    }

    /**
     * Writes one row. {@code values} follow {@link Entity#columns()}: strings, UUIDs, dates, enums, or
     * String[] for array columns; null for absent. {@code refA}/{@code refB} keep the raw referenced ids
     * so that a broken reference can be reported as the input spelt it.
     */
    public UUID write(String sourceId, long line, String refA, String refB, Object... values) {
        if (values.length != entity.columns().size()) {
            throw new IllegalArgumentException(entity + " takes " + entity.columns().size() + " values, got " + values.length);
        }
        UUID id = idOf.apply(sourceId);
        record.clear();
        hashInput.setLength(0);
        record.add(id);
        record.add(sourceId);
        for (Object value : values) {
            String text = toCopyText(value);
            record.add(text);
            hashInput.append(text == null ? "\u0000" : text).append(FIELD_SEPARATOR);
        }
        UUID hash = contentHash();
        if (!knownResolved) {
            // waits, the first time, for the stored rows being loaded in the background
            known = knownSupplier == null ? null : knownSupplier.get();
            knownResolved = true;
        }
        if (known != null) {
            switch (known.see(id, hash, Math.max(1, line))) {
                case UNCHANGED -> {
                    unchanged++;
                    rows++;
                    return id;
                }
                case REPEATED -> {
                    problems.add(origin.file(), line, origin.idColumn(),
                            "duplicate id '" + sourceId + "' (first on line " + known.lineOf(id) + ")");
                    return id;
                }
                default -> {
                    // new or changed: staged
                }
            }
        }
        record.add(hash);
        record.add(line);
        record.add(refA);
        record.add(refB);
        try {
            for (int i = 0; i < record.size(); i++) {
                COPY_CSV.print(record.get(i), formatted, i == 0);
            }
            COPY_CSV.println(formatted);
            if (formatted.length() >= FLUSH_AT) {
                flushFormatted();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        rows++;
        return id;
    }

    private void flushFormatted() throws IOException {
        target.append(formatted);
        formatted.setLength(0);
    }

    /** Rows written, staged or recognised as unchanged. */
    public long rows() {
        return rows;
    }


    private UUID contentHash() {
        return Ids.uuidOf(md5.digest(hashInput.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The content hash {@link #write} gives a row whose columns ({@link Entity#columns()}, in order) have
     * these texts (as COPY reads them; null for absent). For the migration that re-keys stored ids: the
     * hash covers reference columns, so rows whose references changed need theirs made again, or the next
     * import would take every one of them for changed.
     */
    public static UUID contentHashOf(List<String> columnTexts) {
        StringBuilder input = new StringBuilder(256);
        for (String text : columnTexts) {
            input.append(text == null ? "\u0000" : text).append(FIELD_SEPARATOR);
        }
        try {
            return Ids.uuidOf(MessageDigest.getInstance("MD5").digest(input.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String toCopyText(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof String[] array) {
            return "{" + String.join(",", array) + "}";
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        return value.toString();
    }

    @Override
    public void close() {
        boolean written = false;
        try {
            flushFormatted();
            target.close(); // a COPY ends here, and may fail here
            written = true;
        } catch (IOException e) {
            throw new UncheckedIOException("staging " + entity.label() + " failed: " + e.getMessage(), e);
        } finally {
            afterClose.accept(written);
        }
        unchangedSink.accept(unchanged);
    }
}
