package org.tilldela.directory.oneroster;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.DateTimeException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import de.siegmar.fastcsv.reader.AbstractBaseCsvCallbackHandler;
import de.siegmar.fastcsv.reader.CommentStrategy;
import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.FieldMismatchStrategy;
import de.siegmar.fastcsv.reader.RecordType;
import java.util.HashMap;
import org.tilldela.directory.importing.ImportLimitExceededException;
import org.tilldela.directory.importing.Problems;

/**
 * One CSV file of a OneRoster package, read strictly: UTF-8 only (a byte-order mark is tolerated),
 * required columns checked against the header, every row as wide as the header. Problems are reported
 * with file, line and column; the reader goes on to find more.
 */
final class CsvTable {

    private final String name;
    private final Problems problems;
    private final Iterator<RawRecord> records;
    private final List<String> headerNames;
    private final Map<String, Integer> header;

    private final Reopen reopen;
    private final int maxLineLength;

    private final LongConsumer rowsRead;

    /** Rows are told to {@code rowsRead} a thousand at a time: a live view needs no more, and a million calls would cost. */
    static final int ROWS_PER_REPORT = 1000;

    private CsvTable(String name, Problems problems, Iterator<RawRecord> records, List<String> headerNames, Reopen reopen, int maxLineLength,
                     LongConsumer rowsRead) {
        this.rowsRead = rowsRead;
        this.reopen = reopen;
        this.maxLineLength = maxLineLength;
        this.name = name;
        this.problems = problems;
        this.records = records;
        this.headerNames = headerNames;
        Map<String, Integer> byName = new HashMap<>();
        for (int i = 0; i < headerNames.size(); i++) {
            byName.put(headerNames.get(i), i);
        }
        this.header = byName;
    }

    /**
     * RFC 4180, strictly: a quoted value ends at its closing quote (text after it is an error, not part of the value), a
     * quote never closed is an error (a file cut off), no comments, no trimming. Rows of another width than the header
     * are passed on and reported here, by line. Blank lines are skipped (line numbers still count them).
     */
    private static final CsvReader.CsvReaderBuilder RFC_4180 = CsvReader.builder().fieldSeparator(',').quoteCharacter('"')
            .commentStrategy(CommentStrategy.NONE).skipEmptyLines(true).extraFieldStrategy(FieldMismatchStrategy.IGNORE)
            .missingFieldStrategy(FieldMismatchStrategy.IGNORE).allowUnclosedQuote(false)
            .trimWhitespacesAroundQuotes(false).detectBomHeader(false);

    /**
     * Opens the file; returns null (with a problem recorded) when its header lacks a required column. A row
     * longer than {@code maxLineLength} characters stops the reading with an {@code ImportLimitExceededException}.
     */
    static CsvTable open(String name, Reopen reopen, LongConsumer bytesRead, List<String> required, Problems problems, int maxLineLength)
            throws IOException {
        return open(name, reopen, bytesRead, n -> { }, required, problems, maxLineLength);
    }

    /** As {@link #open(String, Reopen, LongConsumer, List, Problems, int)}, telling {@code rowsRead} how many rows were read. */
    static CsvTable open(String name, Reopen reopen, LongConsumer bytesRead, LongConsumer rowsRead, List<String> required, Problems problems,
                         int maxLineLength) throws IOException {
        InputStream in = reopen.open();
        PushbackReader reader = new PushbackReader(new BoundedRowReader(new InputStreamReader(new CountingStream(in, bytesRead),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)),
                name, maxLineLength), 1);
        Iterator<RawRecord> records;
        List<String> headerNames;
        try {
            int first = reader.read();
            if (first != -1 && first != '\uFEFF') {
                reader.unread(first); // not a byte-order mark
            }
            records = RFC_4180.build(new RawRecords(), reader).iterator();
            if (!records.hasNext()) {
                problems.add(name, 1, null, "the file is empty; a header row is required");
                return null;
            }
            headerNames = records.next().fields();
        } catch (IOException | UncheckedIOException | CsvParseException e) {
            rethrowLimit(e);
            if (causedBy(e, CharacterCodingException.class)) {
                notUtf8(name, reopen, maxLineLength, problems);
                return null;
            }
            problems.add(name, 1, null, "unreadable header: " + e.getMessage());
            return null;
        }
        Set<String> seen = new java.util.HashSet<>();
        for (String column : headerNames) {
            if (!column.isEmpty() && !seen.add(column)) {
                problems.add(name, 1, column, "unreadable header: the column is named twice");
                return null;
            }
        }
        CsvTable table = new CsvTable(name, problems, records, headerNames, reopen, maxLineLength, rowsRead);
        boolean complete = true;
        for (String column : required) {
            if (!table.header.containsKey(column)) {
                problems.add(name, 1, column, "required column is missing from the header");
                complete = false;
            }
        }
        return complete ? table : null;
    }

    String name() {
        return name;
    }

    boolean has(String column) {
        return header.containsKey(column);
    }

    /** The column's position in a row, -1 when the file has no such column (see {@link Row#raw(int)}). */
    int index(String column) {
        return header.getOrDefault(column, -1);
    }

    /** Feeds each well-formed row to the consumer; malformed rows become problems. */
    void forEachRow(Consumer<Row> consumer) {
        long[] unreported = {0};
        try {
            forEachRow(consumer, unreported);
        } finally {
            if (unreported[0] > 0) {
                rowsRead.accept(unreported[0]);
            }
        }
    }

    private void forEachRow(Consumer<Row> consumer, long[] unreported) {
        Iterator<RawRecord> it = records;
        long lastLine = 1;
        while (true) {
            RawRecord record;
            try {
                if (!it.hasNext()) {
                    break;
                }
                record = it.next();
            } catch (UncheckedIOException | CsvParseException e) {
                rethrowLimit(e);
                if (causedBy(e, CharacterCodingException.class)) {
                    notUtf8(name, reopen, maxLineLength, problems);
                } else if (e instanceof UncheckedIOException io) {
                    // the file's bytes stop short (a cut-off zip entry)
                    problems.add(name, lastLine + 1, null, "the file ends in the middle of a row (truncated?): " + io.getCause().getMessage());
                } else if (unclosedQuote(e)) {
                    problems.add(name, lastLine + 1, null, "the file ends in the middle of a row (truncated?): " + e.getMessage());
                } else {
                    problems.add(name, lastLine + 1, null, "unreadable row: " + e.getMessage());
                }
                return;
            }
            long line = record.line();
            lastLine = line;
            if (record.fieldCount() == 1 && record.length(0) == 0) {
                continue; // a line holding one empty quoted value, as a blank line (blank lines the parser skips)
            }
            if (record.fieldCount() != header.size()) {
                // A short row names the first column it lacks: where it was cut off.
                String missing = record.fieldCount() < header.size() ? headerNames.get(record.fieldCount()) : null;
                problems.add(name, line, missing, "has " + record.fieldCount() + " fields where the header has " + header.size()
                        + (missing != null ? " (truncated row?)" : ""));
                continue;
            }
            consumer.accept(new Row(record, line));
            if (++unreported[0] == ROWS_PER_REPORT) {
                rowsRead.accept(ROWS_PER_REPORT);
                unreported[0] = 0;
            }
            if (problems.full() || Thread.currentThread().isInterrupted()) {
                return; // enough to report, or the import is being abandoned
            }
        }
    }

    /** The row limit's own exception goes on as it is, wherever the parser wrapped it. */
    private static void rethrowLimit(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ImportLimitExceededException tooLong) {
                throw tooLong;
            }
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> kind) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (kind.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static void notUtf8(String name, Reopen reopen, int maxLineLength, Problems problems) {
        problems.add(name, lineOfFirstMalformed(reopen, maxLineLength), null, "not valid UTF-8 text; OneRoster files must be UTF-8 encoded");
    }

    /** FastCSV's words for a quoted value that never ends (the file stops inside it). */
    private static boolean unclosedQuote(Throwable e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return message.contains("quote") && (message.contains("unclosed") || message.contains("not closed") || message.contains("end of"));
    }

    /** A row with typed, checked access to its fields. */
    final class Row {
        private final RawRecord record;
        private final long line;
        private boolean valid = true;

        Row(RawRecord record, long line) {
            this.record = record;
            this.line = line;
        }

        long line() {
            return line;
        }

        /** False once any accessor reported a problem with this row. */
        boolean valid() {
            return valid;
        }

        String optional(String column) {
            Integer index = header.get(column);
            if (index == null) {
                return null;
            }
            String v = record.field(index).trim();
            if (v.indexOf('\u0000') >= 0) {
                problem(column, "contains a NUL character, which no text field may hold");
                return null;
            }
            return v.isEmpty() ? null : v;
        }

        /** The field as written (not trimmed, not checked), null when the file has no such column. */
        String raw(String column) {
            Integer index = header.get(column);
            return index == null ? null : record.field(index);
        }

        /**
         * The characters of the field at {@code index} ({@link CsvTable#index}) as written, given to {@code sink} without a
         * string made of them: what a fingerprint is made of.
         */
        void raw(int index, Chars sink) {
            record.give(index, sink);
        }

        String required(String column) {
            String v = optional(column);
            if (v == null) {
                problem(column, "a value is required");
            }
            return v;
        }

        String oneOf(String column, Set<String> allowed, boolean required) {
            String v = required ? required(column) : optional(column);
            if (v != null && !allowed.contains(v)) {
                problem(column, "unknown value '" + v + "' (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
                return null;
            }
            return v;
        }

        LocalDate date(String column) {
            String v = optional(column);
            if (v == null) {
                return null;
            }
            try {
                return isoDate(v.length() > 10 ? v.substring(0, 10) : v);
            } catch (DateTimeException e) {
                problem(column, "'" + v + "' is not a date (YYYY-MM-DD)");
                return null;
            }
        }

        /**
         * YYYY-MM-DD as {@link LocalDate#parse} reads it. The plain form (nearly every date of a package: two per
         * enrolment) is taken apart here, without the formatter's per-call field map; anything else goes to the
         * formatter. Both refuse a day the month does not have.
         */
        private static LocalDate isoDate(String v) {
            if (v.length() == 10 && v.charAt(4) == '-' && v.charAt(7) == '-' && digits(v, 0, 4) && digits(v, 5, 7) && digits(v, 8, 10)) {
                return LocalDate.of(Integer.parseInt(v, 0, 4, 10), Integer.parseInt(v, 5, 7, 10), Integer.parseInt(v, 8, 10, 10));
            }
            return LocalDate.parse(v);
        }

        private static boolean digits(String v, int from, int to) {
            for (int i = from; i < to; i++) {
                if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                    return false;
                }
            }
            return true;
        }

        /** Comma-separated list (OneRoster's multi-valued fields). */
        List<String> list(String column) {
            String v = optional(column);
            if (v == null) {
                return List.of();
            }
            if (v.indexOf(',') < 0) {
                return List.of(v); // the common case: one value
            }
            // two or more (a pupil's guardians, say: a million lists a night): a loop, not a stream; a few values are
            // compared in the list, many through a set — a row of a hundred thousand values (a hostile package, within
            // the row limit) would otherwise take 10^10 comparisons
            String[] parts = v.split(",");
            List<String> values = new java.util.ArrayList<>(Math.min(parts.length, 16));
            java.util.Set<String> seen = parts.length > 16 ? new java.util.HashSet<>(parts.length * 2) : null;
            for (String part : parts) {
                String value = part.trim();
                if (!value.isEmpty() && (seen != null ? seen.add(value) : !values.contains(value))) {
                    values.add(value);
                }
            }
            return List.copyOf(values);
        }

        void problem(String column, String reason) {
            valid = false;
            problems.add(name, line, column, reason);
        }
    }

    /** Takes a run of characters (see {@link Row#raw(int, Chars)}). */
    interface Chars {
        void accept(char[] chars, int from, int to);
    }

    /**
     * A record as the parser found it: its fields' characters, unquoted, one after another in one array, and where each
     * ends. A field's string is made only when it is asked for: of a nightly package's millions of records nearly all are
     * recognised by their fingerprint, made from the characters themselves, and never read further — making a string of
     * each of their fields was a tenth of the reading (BENCHMARKS.md).
     */
    record RawRecord(long line, char[] chars, int[] ends) {
        int fieldCount() {
            return ends.length;
        }

        private int start(int index) {
            return index == 0 ? 0 : ends[index - 1];
        }

        int length(int index) {
            return ends[index] - start(index);
        }

        String field(int index) {
            return new String(chars, start(index), length(index));
        }

        void give(int index, Chars sink) {
            sink.accept(chars, start(index), ends[index]);
        }

        List<String> fields() {
            String[] all = new String[ends.length];
            for (int i = 0; i < all.length; i++) {
                all[i] = field(i);
            }
            return List.of(all);
        }
    }

    /** FastCSV's parser hands each field's characters here (unquoted, doubled quotes made single); a record is made of them. */
    private static final class RawRecords extends AbstractBaseCsvCallbackHandler<RawRecord> {
        private static final RawRecord EMPTY = new RawRecord(0, new char[0], new int[0]);
        private char[] chars = new char[1024];
        private int length;
        private int[] ends = new int[32];

        @Override
        protected void handleBegin(long startingLineNumber) {
            length = 0;
        }

        @Override
        protected void handleField(int fieldIdx, char[] buf, int offset, int len, boolean quoted) {
            if (length + len > chars.length) {
                chars = Arrays.copyOf(chars, Math.max(chars.length * 2, length + len));
            }
            if (fieldIdx >= ends.length) {
                ends = Arrays.copyOf(ends, Math.max(ends.length * 2, fieldIdx + 1));
            }
            System.arraycopy(buf, offset, chars, length, len);
            length += len;
            ends[fieldIdx] = length;
        }

        @Override
        protected RawRecord buildRecord() {
            if (getRecordType() != RecordType.DATA) {
                return EMPTY;
            }
            return new RawRecord(getStartingLineNumber(), Arrays.copyOf(chars, length), Arrays.copyOf(ends, getFieldCount()));
        }
    }

    /** Opens the file's bytes from the start (again, when an error needs a second look). */
    interface Reopen {
        InputStream open() throws IOException;
    }

    /**
     * The line of the first byte sequence that is not UTF-8. Only called once decoding has failed: the
     * decoder reads ahead, so where it failed says little about where the bad bytes are. Decodes line by
     * line with the JDK's strict decoder. A line longer than the row limit allows (in UTF-8 bytes) is not
     * collected further but named as the place, so that a huge line cannot fill the memory here either.
     */
    static long lineOfFirstMalformed(Reopen reopen, int maxLineLength) {
        long maxBytes = 4L * maxLineLength;
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try (InputStream in = new BufferedInputStream(reopen.open())) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            long number = 1;
            for (int b = in.read(); ; b = in.read()) {
                if (b == '\n' || b == -1) {
                    try {
                        decoder.reset().decode(ByteBuffer.wrap(line.toByteArray()));
                    } catch (CharacterCodingException e) {
                        return number;
                    }
                    if (b == -1) {
                        return 0;
                    }
                    line.reset();
                    number++;
                } else if (line.size() >= maxBytes) {
                    return number;
                } else {
                    line.write(b);
                }
            }
        } catch (IOException e) {
            return 0;
        }
    }

    /** Counts bytes for progress. */
    private static final class CountingStream extends FilterInputStream {
        private final LongConsumer counter;

        CountingStream(InputStream in, LongConsumer counter) {
            super(in);
            this.counter = counter;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counter.accept(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                counter.accept(n);
            }
            return n;
        }
    }
}
