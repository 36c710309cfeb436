package org.tilldela.ledger;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyInputStream;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Checks the hash chain at about the speed PostgreSQL can hand out rows: the ledger is split into
 * ranges of sequence numbers read in parallel, each with {@code COPY (select …) TO STDOUT} in binary
 * format (no per-value parsing into Java objects: the bytes go straight into the hash, see
 * {@link ChainHash}). Within a range every record is checked against its own stored prev_hash and its
 * predecessor's hash; the links between ranges are checked at the seams afterwards, and the last record
 * against the head. The first broken record is named: a hash mismatch (the record or its hash was
 * changed), a broken link (a record's prev_hash is not its predecessor's hash: a record was replaced
 * with a re-computed hash, or records were reordered) or a gap (a record was removed).
 */
@Component
class ChainVerifier {

    static final String HASH_MISMATCH = "hash mismatch: the stored hash is not the SHA-256 of prev_hash and the record";
    static final String LINK_BROKEN = "prev-hash link broken: prev_hash is not the previous record's hash";
    static final String GAP = "gap in sequence: the record is missing";
    static final String HEAD_MISMATCH = "head mismatch: the last record's hash is not the one the ledger head holds";
    static final String TERMS_MISSING = "the record names release terms that are not in disclosure_terms";

    private final DataSource dataSource;
    private final int threads;
    private final long chunk;

    ChainVerifier(DataSource dataSource, @Value("${tilldela.ledger.verify-threads:0}") int threads,
                  @Value("${tilldela.ledger.verify-chunk:1000000}") long chunk) {
        this.dataSource = dataSource;
        this.threads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        this.chunk = chunk;
    }

    ChainVerification verify() {
        return verify(threads, chunk);
    }

    /** One range's outcome: its first record's prev_hash and its last record's hash for the seams. */
    private record Range(long from, long to, long checked, byte[] firstPrev, byte[] lastHash, Long broken, String reason) {
    }

    ChainVerification verify(int threadCount, long chunkSize) {
        return verify(threadCount, chunkSize, 0, ChainHash.genesis());
    }

    /**
     * Only the records after {@code sequence}, whose hash is {@code hash} (a signed checkpoint's record): the first
     * of them must link to it, and the rest as always.
     */
    ChainVerification verifyAfter(long sequence, byte[] hash) {
        return verify(threads, chunk, sequence, hash);
    }

    private ChainVerification verify(int threadCount, long chunkSize, long after, byte[] afterHash) {
        long started = System.nanoTime();
        long last;
        byte[] headHash;
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             var rs = st.executeQuery("select last_sequence, last_hash from ledger_head where id = 1")) {
            rs.next();
            last = rs.getLong(1);
            headHash = rs.getBytes(2);
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the ledger head: " + e.getMessage(), e);
        }
        // read after the head: every record up to it committed its terms before, so all it names are here
        Terms terms = terms();
        List<Range> ranges = new ArrayList<>();
        if (last > after) {
            List<long[]> bounds = new ArrayList<>();
            for (long from = after + 1; from <= last; from += chunkSize) {
                bounds.add(new long[] {from, Math.min(last, from + chunkSize - 1)});
            }
            ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threadCount, bounds.size())), r -> {
                Thread t = new Thread(r, "ledger-verify");
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<Range>> futures = new ArrayList<>();
                for (long[] b : bounds) {
                    futures.add(pool.submit(() -> verifyRange(b[0], b[1], terms)));
                }
                for (Future<Range> f : futures) {
                    ranges.add(f.get());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("verification interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("verification failed: " + e.getCause().getMessage(), e.getCause());
            } finally {
                pool.shutdownNow();
            }
        }
        long checked = ranges.stream().mapToLong(Range::checked).sum();
        if (last < after) {
            // the head is before the record we were to start after: the tail was cut off
            return result(0, last, HEAD_MISMATCH, started);
        }
        byte[] prev = afterHash;
        for (Range r : ranges) {
            // the seam comes before anything inside the range, so check it first
            if (r.checked() > 0 && r.firstPrev() != null && !Arrays.equals(prev, r.firstPrev())) {
                return result(checked, r.from(), LINK_BROKEN, started);
            }
            if (r.broken() != null) {
                return result(checked, r.broken(), r.reason(), started);
            }
            prev = r.lastHash();
        }
        if (last > 0 && !Arrays.equals(prev, headHash)) {
            return result(checked, last, HEAD_MISMATCH, started);
        }
        return new ChainVerification(checked, true, null, null, Duration.ofNanos(System.nanoTime() - started));
    }

    private static ChainVerification result(long checked, long broken, String reason, long started) {
        return new ChainVerification(checked, false, broken, reason, Duration.ofNanos(System.nanoTime() - started));
    }

    /**
     * Each terms row's part of the encoding (channel to purpose) and its retention, by id: a record names its terms, and
     * the hash covers their values, so a changed terms row breaks every record naming it.
     */
    record Terms(byte[][] encoded, int[] retention) {

        boolean has(int id) {
            return id >= 0 && id < encoded.length && encoded[id] != null;
        }
    }

    private Terms terms() {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             var rs = st.executeQuery("select id, channel, attributes, agreement_id, legal_basis, purpose, retention_days from disclosure_terms order by id desc")) {
            byte[][] encoded = null;
            int[] retention = null;
            while (rs.next()) {
                int id = rs.getInt(1);
                if (encoded == null) {
                    encoded = new byte[id + 1][];
                    retention = new int[id + 1];
                }
                String attributes = rs.getString(3);
                encoded[id] = ChainHash.termsEncoding(rs.getString(2), attributes.isEmpty() ? new String[0] : attributes.split(","),
                        rs.getObject(4, java.util.UUID.class), rs.getString(5), rs.getString(6));
                retention[id] = rs.getInt(7);
            }
            return encoded == null ? new Terms(new byte[0][], new int[0]) : new Terms(encoded, retention);
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the release terms: " + e.getMessage(), e);
        }
    }

    /** A record's own columns in the order the hash encodes them (its terms, by id, in the middle), prev_hash first and hash last. */
    private static final String COPY = """
            copy (select prev_hash, sequence, person_id, supplier_id, product_id, terms_id, disclosed_at, retain_until, hash
                  from disclosure_record where sequence between %d and %d order by sequence) to stdout (format binary)""";

    private Range verifyRange(long from, long to, Terms terms) throws SQLException, IOException {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    // read by the primary key in order, never a sort of millions of rows
                    st.execute("set local enable_sort = off");
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                try (InputStream in = new PGCopyInputStream(pg, COPY.formatted(from, to))) {
                    Range checked = check(new CopyReader(in), from, to, terms);
                    // A range found broken stops reading before its COPY ends. Closing the stream then would cancel the
                    // COPY, and the cancel can reach the server after the rollback that follows, which fails and leaves the
                    // connection unusable: the verification threw instead of naming the break (at 50 M records). Read on.
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                    return checked;
                }
            } finally {
                c.rollback();
                c.setAutoCommit(autoCommit);
            }
        }
    }

    /** Reads PostgreSQL's binary COPY format: a header, then per row an int16 field count and per field int32 length + bytes. */
    private static Range check(CopyReader in, long from, long to, Terms terms) throws IOException {
        in.header();
        ChainHash chain = new ChainHash();
        byte[] scratch = new byte[ChainHash.LENGTH];
        byte[] firstPrev = null;
        byte[] lastHash = null;
        byte[] prevRowHash = null;
        long expected = from;
        long checked = 0;
        while (true) {
            in.need(2);
            short fields = in.int16();
            if (fields == -1) {
                break;
            }
            if (fields != 9) {
                throw new IOException("unexpected field count " + fields);
            }
            chain.reset();
            // prev_hash
            int prevLen = in.int32();
            in.need(prevLen);
            int prevOff = in.pos;
            chain.put(in.buf, prevOff, prevLen);
            in.pos += prevLen;
            byte[] prevStored = Arrays.copyOfRange(in.buf, prevOff, prevOff + prevLen);
            chain.putByte(ChainHash.VERSION);
            // sequence
            in.int32();
            in.need(8);
            long sequence = in.int64();
            chain.putLong(sequence);
            // person, supplier, product: 16 bytes each
            for (int i = 0; i < 3; i++) {
                int n = in.int32();
                in.copyTo(chain, n);
            }
            // the terms, channel to purpose, as encoded once per terms row
            in.int32();
            in.need(4);
            int termsId = in.int32();
            boolean termsKnown = terms.has(termsId);
            if (termsKnown) {
                byte[] encoded = terms.encoded()[termsId];
                chain.put(encoded, 0, encoded.length);
            }
            in.int32();
            in.need(8);
            chain.putLong(in.int64() + ChainHash.PG_EPOCH_MICROS);
            chain.putInt(termsKnown ? terms.retention()[termsId] : 0);
            int untilLen = in.int32();
            if (untilLen < 0) {
                chain.putByte(0);
            } else {
                in.need(4);
                chain.putByte(1);
                chain.putInt(in.int32() + ChainHash.PG_EPOCH_DAYS);
            }
            int hashLen = in.int32();
            in.need(hashLen);
            int hashOff = in.pos;
            in.pos += hashLen;

            if (sequence != expected) {
                return new Range(from, to, checked, firstPrev, lastHash, expected, GAP);
            }
            checked++;
            if (firstPrev == null) {
                firstPrev = prevStored;
            } else if (!Arrays.equals(prevRowHash, prevStored)) {
                return new Range(from, to, checked, firstPrev, lastHash, sequence, LINK_BROKEN);
            }
            if (!termsKnown) {
                return new Range(from, to, checked, firstPrev, lastHash, sequence, TERMS_MISSING);
            }
            if (hashLen != ChainHash.LENGTH || !chain.digestEquals(in.buf, hashOff, scratch)) {
                return new Range(from, to, checked, firstPrev, lastHash, sequence, HASH_MISMATCH);
            }
            lastHash = Arrays.copyOfRange(in.buf, hashOff, hashOff + hashLen);
            prevRowHash = lastHash;
            expected++;
        }
        if (expected <= to) {
            return new Range(from, to, checked, firstPrev, lastHash, expected, GAP);
        }
        return new Range(from, to, checked, firstPrev, lastHash, null, null);
    }

    /** A buffer over the COPY stream; {@link #need} guarantees that many bytes from {@code pos}. */
    static final class CopyReader {
        private final InputStream in;
        byte[] buf = new byte[1 << 20];
        int pos;
        private int lim;

        CopyReader(InputStream in) {
            this.in = in;
        }

        void need(int n) throws IOException {
            if (lim - pos >= n) {
                return;
            }
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, lim - pos);
                lim -= pos;
                pos = 0;
            }
            if (n > buf.length) {
                buf = Arrays.copyOf(buf, n);
            }
            while (lim < n) {
                int r = in.read(buf, lim, buf.length - lim);
                if (r < 0) {
                    throw new EOFException("the COPY stream ended early");
                }
                lim += r;
            }
        }

        void header() throws IOException {
            need(19);
            byte[] signature = "PGCOPY\n\377\r\n\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            if (!Arrays.equals(buf, pos, pos + 11, signature, 0, 11)) {
                throw new IOException("not a binary COPY stream");
            }
            pos += 15; // signature and flags
            int extension = int32();
            need(extension);
            pos += extension;
        }

        short int16() {
            short v = (short) (((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff));
            pos += 2;
            return v;
        }

        /** Reads an int32, making sure it is there first. */
        int int32() throws IOException {
            need(4);
            int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
            pos += 4;
            return v;
        }

        long int64() throws IOException {
            long hi = int32() & 0xffffffffL;
            long lo = int32() & 0xffffffffL;
            return (hi << 32) | lo;
        }

        void copyTo(ChainHash chain, int n) throws IOException {
            need(n);
            chain.put(buf, pos, n);
            pos += n;
        }
    }
}
