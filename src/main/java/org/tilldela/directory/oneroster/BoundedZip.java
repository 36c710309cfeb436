package org.tilldela.directory.oneroster;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Enumeration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.tilldela.directory.importing.ImportLimitExceededException;
import org.tilldela.directory.importing.ImportLimits;
import org.tilldela.directory.importing.ImportProblem;

/**
 * The entries of one package, read within the {@link ImportLimits}: what all entries expand to together,
 * and how many times its compressed size one entry expands to. The sizes a zip declares are checked first
 * (cheap), but they can lie, so the bytes actually inflated are counted too and reading stops the moment a
 * limit is passed: a zip bomb costs a few megabytes of reading, not gigabytes.
 */
final class BoundedZip {

    /**
     * The compression ratio is only judged past this much output: a small file (a manifest, a header-only
     * CSV) can compress very well and harms nobody.
     */
    static final long RATIO_FLOOR = 1L << 20;

    private final ZipFile zip;
    private final ImportLimits limits;
    private final String packageName;
    /** Shared by the threads reading entries side by side. */
    private final AtomicLong expanded = new AtomicLong();

    BoundedZip(ZipFile zip, ImportLimits limits, String packageName) {
        this.zip = zip;
        this.limits = limits;
        this.packageName = packageName;
    }

    /** Refuses a package whose entries declare more than the limits allow, before anything is inflated. */
    void checkDeclaredSizes() {
        long total = 0;
        for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
            ZipEntry entry = entries.nextElement();
            if (entry.getSize() > 0) {
                total += entry.getSize();
                if (total > limits.maxExpandedSize().toBytes()) {
                    throw tooLarge(packageName);
                }
                checkRatio(entry.getName(), entry.getSize(), entry.getCompressedSize());
            }
        }
    }

    InputStream open(ZipEntry entry) throws IOException {
        return new Counted(zip.getInputStream(entry), entry.getName(), entry.getCompressedSize());
    }

    private void checkRatio(String name, long size, long compressed) {
        if (size > RATIO_FLOOR && compressed > 0 && size / compressed >= limits.maxCompressionRatio()) {
            throw new ImportLimitExceededException(new ImportProblem(name, 0, null, "expands more than " + limits.maxCompressionRatio()
                    + " times its compressed size, the limit (tilldela.import.max-compression-ratio); nothing was read further"));
        }
    }

    private ImportLimitExceededException tooLarge(String name) {
        return new ImportLimitExceededException(new ImportProblem(name, 0, null, "the package expands to more than "
                + ImportLimits.describe(limits.maxExpandedSize()) + ", the limit (tilldela.import.max-expanded-size); nothing was read further"));
    }

    /** Counts the inflated bytes of one entry against the limits. */
    private final class Counted extends FilterInputStream {
        private final String name;
        private final long compressed;
        private long read;

        Counted(InputStream in, String name, long compressed) {
            super(in);
            this.name = name;
            this.compressed = compressed;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            if (skipped > 0) {
                count(skipped);
            }
            return skipped;
        }

        private void count(long n) {
            read += n;
            if (expanded.addAndGet(n) > limits.maxExpandedSize().toBytes()) {
                throw tooLarge(name);
            }
            checkRatio(name, read, compressed);
        }
    }
}
