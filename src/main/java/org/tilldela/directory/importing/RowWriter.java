package org.tilldela.directory.importing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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

/**
 * Streams rows of one entity into its staging table with PostgreSQL COPY (binary format, {@link BinaryCopy}),
 * computing each row's id and content hash on the way.
 */
public final class RowWriter implements AutoCloseable {

    private static final char FIELD_SEPARATOR = '\u001f';

    /**
     * Rows are encoded into memory and handed to the target 64 KB at a time: the COPY stream or file then sees a few
     * large writes instead of one per value.
     */
    private static final int FLUSH_AT = 1 << 16;

    private final Entity entity;
    /** A row's id from its source id (see {@link StagedSnapshot#id}). */
    private final Function<String, UUID> idOf;
    /** Told whether everything was written; a deferred writer copies its file in (or not) and removes it. */
    private final Consumer<Boolean> afterClose;
    /** Rows encoded for COPY, handed to {@link #target} in large pieces. */
    private final BinaryCopy encoded;
    private final OutputStream target;
    private final MessageDigest md5;
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
    /** Fingerprints of the records the stored rows were read from (null when this writer's reader does not fingerprint). */
    private final Supplier<StoredRecords> fingerprintSupplier;
    private StoredRecords fingerprints;
    /** The fingerprint of the record being read, written with each row it yields (null: none). */
    private UUID lineFingerprint;

    /**
     * @param target        where the COPY data goes: a COPY stream, or a file copied in later
     * @param stageColumns  the staging table's columns in {@link #copySql} order, as the server reports their types
     * @param afterClose    run once the target is closed (for a file: copy it into the stage)
     * @param fingerprints  the stored records' fingerprints, for {@link #keep} (null: none to recognise records by)
     */
    RowWriter(OutputStream target, List<BinaryCopy.Column> stageColumns, Consumer<Boolean> afterClose, Entity entity, Function<String, UUID> idOf,
              Supplier<KnownRows> known, Supplier<StoredRecords> fingerprints, Problems problems, StagedSnapshot.Origin origin,
              LongConsumer unchangedSink) {
        this.fingerprintSupplier = fingerprints;
        this.entity = entity;
        this.idOf = idOf;
        this.knownSupplier = known;
        this.problems = problems;
        this.origin = origin;
        this.unchangedSink = unchangedSink;
        this.afterClose = afterClose;
        this.target = target;
        this.encoded = new BinaryCopy(stageColumns);
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The COPY statement that loads what a writer of this entity writes. */
    static String copySql(Entity entity) {
        return "copy " + entity.stageTable() + " (" + String.join(", ", copyColumns(entity)) + ") from stdin with (format binary)";
    }

    /** The staging table's columns in the order a row is written. */
    static List<String> copyColumns(Entity entity) {
        List<String> columns = new ArrayList<>(List.of("id", "source_id"));
        columns.addAll(entity.columns());
        columns.addAll(List.of("content_hash", "line_no", "line_fp", "ref_a", "ref_b"));
        return columns;
    }

    /**
     * For a fingerprinting reader, before it reads a record into rows: true when the record, by its {@code fingerprint},
     * is one the stored rows were read from (and not seen before in this input) — its rows stand as stored, and the reader
     * goes on to the next record without reading this one. Otherwise the rows the reader then writes carry the
     * fingerprint. A record that yields one row each time it is read (as a membership does) is counted unchanged here.
     * Without stored fingerprints (every row compared, as a reread does) nothing is kept; the rows written still carry
     * their record's fingerprint.
     */
    public boolean keep(UUID fingerprint, long line) {
        if (fingerprintSupplier == null) {
            lineFingerprint = fingerprint;
            return false;
        }
        if (fingerprints == null) {
            fingerprints = fingerprintSupplier.get(); // waits, the first time, for the stored fingerprints being loaded
        }
        int stored = fingerprints.recognise(fingerprint, Math.max(1, line));
        if (stored > 0) {
            unchanged += stored;
            rows += stored;
            lineFingerprint = null;
            return true;
        }
        lineFingerprint = fingerprint;
        return false;
    }

    /**
     * For rows read from the same records as another writer's ({@code kept}: what {@link #keep} said there): a record
     * kept there keeps its rows here too (none, if it yielded none here); one read there is read here too, whatever
     * this writer has stored with its fingerprint, and the rows written carry it.
     */
    public void follow(UUID fingerprint, long line, boolean kept) {
        if (!kept || fingerprintSupplier == null) {
            lineFingerprint = fingerprint;
            return;
        }
        keep(fingerprint, line);
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
        hashInput.setLength(0);
        // the content hash is of each value as text, as it was when rows went in as CSV: stored hashes stay valid
        for (Object value : values) {
            String text = toCopyText(value);
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
        Object[] row = new Object[values.length + 7];
        row[0] = id;
        row[1] = sourceId;
        System.arraycopy(values, 0, row, 2, values.length);
        row[values.length + 2] = hash;
        row[values.length + 3] = line;
        row[values.length + 4] = lineFingerprint;
        row[values.length + 5] = refA;
        row[values.length + 6] = refB;
        encoded.row(row);
        if (encoded.pending() >= FLUSH_AT) {
            try {
                encoded.drainTo(target);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        rows++;
        return id;
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

    /** A value as text: what the content hash is made of (and, for a text column, what is stored). */
    static String toCopyText(Object value) {
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
            encoded.end();
            encoded.drainTo(target);
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
