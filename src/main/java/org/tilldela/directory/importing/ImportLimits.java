package org.tilldela.directory.importing;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

/**
 * How much an import file may make the server read: a package is a zip, and a few megabytes of zip can
 * expand to gigabytes, or hold one "line" of gigabytes that a CSV parser would try to keep in memory.
 * The defaults are far above what a real municipality sends (one of a million persons is about 100 MB of
 * CSV, lines under a few kilobytes, compressed 2–10 times) and far below what would hurt the server.
 *
 * @param maxLineLength       characters in one CSV row (line breaks inside quoted values count as part of the row)
 * @param maxExpandedSize     bytes all files of one package may expand to together
 * @param maxCompressionRatio how many times larger than its compressed size a zip entry may expand
 */
@Component
public record ImportLimits(int maxLineLength, DataSize maxExpandedSize, int maxCompressionRatio) {

    /** The defaults, for imports of inputs the application made itself (the demo municipality, benchmarks). */
    public static final ImportLimits DEFAULTS = new ImportLimits(1_000_000, DataSize.ofGigabytes(2), 100);

    /** A size as people write it in the configuration: "2 GB", "100 MB", or bytes. */
    public static String describe(DataSize size) {
        long bytes = size.toBytes();
        if (bytes % DataSize.ofGigabytes(1).toBytes() == 0) {
            return size.toGigabytes() + " GB";
        }
        if (bytes % DataSize.ofMegabytes(1).toBytes() == 0) {
            return size.toMegabytes() + " MB";
        }
        return bytes + " bytes";
    }

    /**
     * The values from the configuration. Written out rather than as annotations on the record's components: those would
     * also annotate the record's final fields, which the command context made ahead of time (platform's AheadOfTime) then tries
     * to inject into.
     */
    public ImportLimits(@Value("${tilldela.import.max-line-length:1000000}") int maxLineLength,
                        @Value("${tilldela.import.max-expanded-size:2GB}") DataSize maxExpandedSize,
                        @Value("${tilldela.import.max-compression-ratio:100}") int maxCompressionRatio) {
        if (maxLineLength < 1 || maxExpandedSize == null || maxExpandedSize.toBytes() < 1 || maxCompressionRatio < 1) {
            throw new IllegalArgumentException("import limits must be positive: tilldela.import.max-line-length, "
                    + "tilldela.import.max-expanded-size, tilldela.import.max-compression-ratio");
        }
        this.maxLineLength = maxLineLength;
        this.maxExpandedSize = maxExpandedSize;
        this.maxCompressionRatio = maxCompressionRatio;
    }
}
