package org.tilldela.directory.importing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The binary COPY format read back as the loaders read stored rows, from a stream that hands out a few bytes at a time:
 * values split across reads and across the buffer's 64 KB arrive whole; a stream cut short is an error, not a row.
 */
class BinaryCopyInputTest {

    private static final List<BinaryCopy.Column> COLUMNS = List.of(
            new BinaryCopy.Column("fp", BinaryCopy.Kind.UUID, 0),
            new BinaryCopy.Column("id", BinaryCopy.Kind.UUID, 0));

    @Test
    void rowsWrittenInTheBinaryFormatAreReadBackAcrossAnyReadBoundary() throws IOException {
        BinaryCopy copy = new BinaryCopy(COLUMNS);
        int rows = 20_000; // 40 bytes a row: well beyond one 64 KB buffer
        for (int i = 0; i < rows; i++) {
            copy.row(i % 7 == 0 ? null : new UUID(i, -i), new UUID(-i, i));
        }
        copy.end();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        copy.drainTo(bytes);

        BinaryCopyInput in = new BinaryCopyInput(trickle(bytes.toByteArray()));
        in.readHeader();
        int read = 0;
        for (short fields = in.readShort(); fields != -1; fields = in.readShort()) {
            assertThat(fields).isEqualTo((short) 2);
            int length = in.readInt();
            if (read % 7 == 0) {
                assertThat(length).isEqualTo(-1);
            } else {
                assertThat(length).isEqualTo(16);
                assertThat(new UUID(in.readLong(), in.readLong())).isEqualTo(new UUID(read, -read));
            }
            assertThat(in.readInt()).isEqualTo(16);
            assertThat(new UUID(in.readLong(), in.readLong())).isEqualTo(new UUID(-read, read));
            read++;
        }
        assertThat(read).isEqualTo(rows);

        BinaryCopyInput cut = new BinaryCopyInput(trickle(Arrays.copyOf(bytes.toByteArray(), 100)));
        cut.readHeader();
        assertThatThrownBy(() -> {
            while (true) {
                cut.readLong();
            }
        }).isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> new BinaryCopyInput(new ByteArrayInputStream("COPY".getBytes())).readHeader()).isInstanceOf(IOException.class);
    }

    /** Hands out one to three bytes a read. */
    private static InputStream trickle(byte[] data) {
        return new FilterInputStream(new ByteArrayInputStream(data)) {
            private int turn;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1 + turn++ % 3));
            }
        };
    }
}
