package org.tilldela.directory.importing;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * Rows a reader derives while one COPY stream is open (a connection runs one COPY at a time), parked in
 * a temporary file and replayed afterwards. Keeps memory flat however large the input.
 */
public final class Spool implements AutoCloseable {

    private final Path file;
    private final CSVPrinter printer;
    private long rows;

    public Spool(String name) {
        try {
            this.file = Files.createTempFile("tilldela-" + name, ".csv");
            this.printer = new CSVPrinter(new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16), CSVFormat.RFC4180);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void add(Object... fields) {
        try {
            printer.printRecord(fields);
            rows++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long rows() {
        return rows;
    }

    /** Feeds every parked row, in order, to the consumer. */
    public void replay(Consumer<CSVRecord> consumer) {
        try {
            printer.flush();
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                 CSVParser parser = CSVParser.builder().setReader(in).setFormat(CSVFormat.RFC4180).get()) {
                for (CSVRecord r : parser) {
                    consumer.accept(r);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            printer.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
