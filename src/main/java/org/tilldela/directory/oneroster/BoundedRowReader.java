package org.tilldela.directory.oneroster;

import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;
import org.tilldela.directory.importing.ImportLimitExceededException;
import org.tilldela.directory.importing.ImportProblem;

/**
 * Stops a CSV file whose row grows beyond the limit, before the parser holds it in memory: the CSV parser
 * keeps a whole row (a record) until its end, so one row of gigabytes would take gigabytes. A row ends at a
 * line break outside quotes; line breaks inside a quoted value belong to the row (RFC 4180), so they do not
 * reset the count — else a long quoted value of short lines would slip through.
 */
final class BoundedRowReader extends FilterReader {

    private final String file;
    private final int max;
    private int inRow;
    private boolean quoted;
    private long line = 1;
    private long rowStart = 1;
    /** For {@link #read()}: the one character read, scanned as an array. */
    private final char[] one = new char[1];

    BoundedRowReader(Reader in, String file, int max) {
        super(in);
        this.file = file;
        this.max = max;
    }

    @Override
    public int read() throws IOException {
        int c = super.read();
        if (c >= 0) {
            one[0] = (char) c;
            scan(one, 0, 1);
        }
        return c;
    }

    @Override
    public int read(char[] buffer, int off, int len) throws IOException {
        int n = super.read(buffer, off, len);
        if (n > 0) {
            scan(buffer, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // through read, so that skipped characters are counted too
        char[] buffer = new char[(int) Math.min(n, 8192)];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    /** Every character of a package passes here (a fifth of a billion): the state is kept in locals while it runs. */
    private void scan(char[] buffer, int off, int n) {
        int row = inRow;
        boolean inQuotes = quoted;
        for (int i = off; i < off + n; i++) {
            char c = buffer[i];
            if (c == '"') {
                inQuotes = !inQuotes; // an escaped quote ("") toggles twice
            }
            if (!inQuotes && (c == '\n' || c == '\r')) {
                row = 0;
            } else {
                if (row == 0) {
                    rowStart = line;
                }
                if (++row > max) {
                    tooLong();
                }
            }
            if (c == '\n') {
                line++;
            }
        }
        inRow = row;
        quoted = inQuotes;
    }

    private void tooLong() {
        throw new ImportLimitExceededException(new ImportProblem(file, rowStart, null, "a row is longer than " + max
                + " characters, the limit (tilldela.import.max-line-length); nothing was read further"));
    }
}
