package org.tilldela.directory.oneroster;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.tilldela.directory.importing.Problems;

/**
 * One CSV file of a OneRoster package, read strictly: UTF-8 only (a byte-order mark is tolerated),
 * required columns checked against the header, every row as wide as the header. Problems are reported
 * with file, line and column; the reader goes on to find more.
 */
final class CsvTable {

    private final String name;
    private final Problems problems;
    private final CSVParser parser;
    private final Map<String, Integer> header;

    private CsvTable(String name, Problems problems, CSVParser parser) {
        this.name = name;
        this.problems = problems;
        this.parser = parser;
        this.header = parser.getHeaderMap();
    }

    /** Opens the file; returns null (with a problem recorded) when its header lacks a required column. */
    static CsvTable open(String name, InputStream in, LongConsumer bytesRead, List<String> required, Problems problems) throws IOException {
        java.io.PushbackReader reader = new java.io.PushbackReader(new InputStreamReader(new Utf8Check(new CountingStream(in, bytesRead)),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)), 1);
        CSVParser parser;
        try {
            int first = reader.read();
            if (first == -1) {
                problems.add(name, 1, null, "the file is empty; a header row is required");
                return null;
            }
            if (first != '\uFEFF') {
                reader.unread(first); // not a byte-order mark
            }
            parser = CSVParser.builder().setReader(reader).setFormat(CSVFormat.RFC4180.builder()
                    .setHeader().setSkipHeaderRecord(true).setIgnoreSurroundingSpaces(false).get()).get();
        } catch (CharacterCodingException e) {
            problems.add(name, e instanceof Utf8Check.Malformed m ? m.line : 1, null, "not valid UTF-8 text; OneRoster files must be UTF-8 encoded");
            return null;
        } catch (IOException | IllegalArgumentException e) {
            problems.add(name, 1, null, "unreadable header: " + e.getMessage());
            return null;
        }
        CsvTable table = new CsvTable(name, problems, parser);
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

    /** Feeds each well-formed row to the consumer; malformed rows become problems. */
    void forEachRow(Consumer<Row> consumer) {
        Iterator<CSVRecord> it = parser.iterator();
        long lastLine = 1;
        while (true) {
            CSVRecord record;
            try {
                if (!it.hasNext()) {
                    break;
                }
                record = it.next();
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof CharacterCodingException c) {
                    problems.add(name, c instanceof Utf8Check.Malformed m ? m.line : lastLine + 1, null,
                            "not valid UTF-8 text; OneRoster files must be UTF-8 encoded");
                } else {
                    problems.add(name, lastLine + 1, null, "the file ends in the middle of a row (truncated?): " + e.getCause().getMessage());
                }
                return;
            } catch (IllegalStateException e) {
                problems.add(name, lastLine + 1, null, "unreadable row: " + e.getMessage());
                return;
            }
            long line = record.getRecordNumber() + 1;
            lastLine = line;
            if (record.size() == 1 && record.get(0).isEmpty()) {
                continue; // a blank line
            }
            if (record.size() != header.size()) {
                // A short row names the first column it lacks: where it was cut off.
                String missing = record.size() < header.size() ? parser.getHeaderNames().get(record.size()) : null;
                problems.add(name, line, missing, "has " + record.size() + " fields where the header has " + header.size()
                        + (missing != null ? " (truncated row?)" : ""));
                continue;
            }
            consumer.accept(new Row(record, line));
            if (problems.full()) {
                return;
            }
        }
    }

    /** A row with typed, checked access to its fields. */
    final class Row {
        private final CSVRecord record;
        private final long line;
        private boolean valid = true;

        Row(CSVRecord record, long line) {
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
            if (!header.containsKey(column)) {
                return null;
            }
            String v = record.get(column).trim();
            return v.isEmpty() ? null : v;
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
                return LocalDate.parse(v.length() > 10 ? v.substring(0, 10) : v);
            } catch (DateTimeParseException e) {
                problem(column, "'" + v + "' is not a date (YYYY-MM-DD)");
                return null;
            }
        }

        /** Comma-separated list (OneRoster's multi-valued fields). */
        List<String> list(String column) {
            String v = optional(column);
            if (v == null) {
                return List.of();
            }
            return java.util.Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
        }

        void problem(String column, String reason) {
            valid = false;
            problems.add(name, line, column, reason);
        }
    }

    /**
     * Checks that the bytes are well-formed UTF-8 as they are read, counting lines, so that an encoding
     * error is reported on the line it is on (the decoder reads ahead and cannot tell).
     */
    private static final class Utf8Check extends FilterInputStream {

        static final class Malformed extends CharacterCodingException {
            final long line;

            Malformed(long line) {
                this.line = line;
            }

            @Override
            public String getMessage() {
                return "malformed UTF-8 on line " + line;
            }
        }

        private long line = 1;
        /** Continuation bytes still expected, and the range the next one must fall in. */
        private int pending;
        private int lower = 0x80;
        private int upper = 0xBF;

        Utf8Check(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            check(b);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n < 0) {
                check(-1);
            }
            for (int i = 0; i < n; i++) {
                check(b[off + i] & 0xff);
            }
            return n;
        }

        private void check(int b) throws Malformed {
            if (b < 0) {
                if (pending > 0) {
                    throw new Malformed(line); // ends inside a character
                }
                return;
            }
            if (pending > 0) {
                if (b < lower || b > upper) {
                    throw new Malformed(line);
                }
                pending--;
                lower = 0x80;
                upper = 0xBF;
                return;
            }
            if (b < 0x80) {
                if (b == '\n') {
                    line++;
                }
            } else if (b >= 0xC2 && b <= 0xDF) {
                pending = 1;
            } else if (b >= 0xE0 && b <= 0xEF) {
                pending = 2;
                lower = b == 0xE0 ? 0xA0 : 0x80; // no overlong forms
                upper = b == 0xED ? 0x9F : 0xBF; // no surrogates
            } else if (b >= 0xF0 && b <= 0xF4) {
                pending = 3;
                lower = b == 0xF0 ? 0x90 : 0x80;
                upper = b == 0xF4 ? 0x8F : 0xBF; // nothing above U+10FFFF
            } else {
                throw new Malformed(line);
            }
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
