package org.tilldela.platform;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * The exports users open in a spreadsheet: RFC 4180 CSV in UTF-8 with a byte order mark (without it Excel reads
 * UTF-8 as the local code page, and "Östen" comes out garbled), every cell that starts like a formula (= + - @,
 * tab, carriage return) prefixed with an apostrophe so it stays text (CSV injection) — names and answers are
 * written by others.
 */
public final class CsvExport {

    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private CsvExport() {
    }

    /** The file: a header row, then the rows; null cells empty. */
    public static byte[] of(List<String> header, List<? extends List<?>> rows) {
        StringWriter out = new StringWriter();
        try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.RFC4180)) {
            csv.printRecord(header.stream().map(CsvExport::cell).toList());
            for (List<?> row : rows) {
                List<String> cells = new ArrayList<>(row.size());
                row.forEach(v -> cells.add(v == null ? null : cell(v.toString())));
                csv.printRecord(cells);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] text = out.toString().getBytes(StandardCharsets.UTF_8);
        byte[] file = new byte[BOM.length + text.length];
        System.arraycopy(BOM, 0, file, 0, BOM.length);
        System.arraycopy(text, 0, file, BOM.length, text.length);
        return file;
    }

    /** A cell that a spreadsheet would take for a formula, kept as text. */
    static String cell(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        return "=+-@\t\r".indexOf(text.charAt(0)) >= 0 ? "'" + text : text;
    }

    /** The answer that downloads the file as {@code filename}. */
    public static ResponseEntity<byte[]> download(String filename, byte[] file) {
        return ResponseEntity.ok().contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(filename, StandardCharsets.UTF_8).build().toString())
                .body(file);
    }
}
