package org.tilldela.directory.importing;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Reads PostgreSQL's binary COPY format (big-endian shorts, ints and longs) from a stream, 64 KB at a time into an
 * array of its own: a {@code DataInputStream} over a buffered stream calls down (and locks) for every value, and a
 * loader reads a dozen values for each of millions of rows.
 */
final class BinaryCopyInput {

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** "PGCOPY\n\377\r\n\0": how PostgreSQL's binary COPY output begins (see COPY, "Binary Format"). */
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};

    private final InputStream in;
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;

    BinaryCopyInput(InputStream in) {
        this.in = in;
    }

    /** Reads the signature, the flags and the header extension (which PostgreSQL leaves empty). */
    void readHeader() throws IOException {
        ensure(SIGNATURE.length);
        if (!Arrays.equals(buffer, position, position + SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
            throw new IOException("not PostgreSQL's binary COPY format");
        }
        position += SIGNATURE.length;
        readInt(); // flags: bit 16 would say OIDs are included, which a COPY of a query never has
        skip(readInt());
    }

    short readShort() throws IOException {
        ensure(2);
        short v = (short) SHORT.get(buffer, position);
        position += 2;
        return v;
    }

    int readInt() throws IOException {
        ensure(4);
        int v = (int) INT.get(buffer, position);
        position += 4;
        return v;
    }

    long readLong() throws IOException {
        ensure(8);
        long v = (long) LONG.get(buffer, position);
        position += 8;
        return v;
    }

    private void skip(int n) throws IOException {
        for (int left = n; left > 0; ) {
            ensure(1);
            int step = Math.min(left, limit - position);
            position += step;
            left -= step;
        }
    }

    /** At least {@code n} (at most the buffer's size) unread bytes in the buffer, or EOFException. */
    private void ensure(int n) throws IOException {
        if (limit - position >= n) {
            return;
        }
        System.arraycopy(buffer, position, buffer, 0, limit - position);
        limit -= position;
        position = 0;
        while (limit < n) {
            int read = in.read(buffer, limit, buffer.length - limit);
            if (read < 0) {
                throw new EOFException("the COPY ended in the middle of a row");
            }
            limit += read;
        }
    }
}
