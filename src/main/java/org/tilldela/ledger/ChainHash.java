package org.tilldela.ledger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.UUID;

/**
 * The ledger's hash chain, written down so that an auditor can re-implement it without Tilldela.
 *
 * <p>{@code hash(n) = SHA-256(prev_hash(n) || encoding(n))}, where {@code prev_hash(n) = hash(n-1)} and
 * the first record's prev_hash is 32 zero bytes. {@code encoding(n)} is version 1 of this fixed-order
 * binary encoding of the stored fields (all integers big-endian, two's complement):
 *
 * <pre>
 *  byte    0x01                       encoding version
 *  int64   sequence
 *  16 byte person_id                  UUID as in RFC 4122 (most significant bits first)
 *  16 byte supplier_id
 *  16 byte product_id
 *  string  channel                    e.g. SCIM_PUSH
 *  int32   number of attributes, then each attribute name as a string, in stored (ascending) order
 *  opt     agreement_id               0x00, or 0x01 followed by 16 bytes
 *  string  legal_basis
 *  string  purpose
 *  int64   disclosed_at               microseconds since 1970-01-01T00:00:00Z
 *  int32   retention_days
 *  opt     retain_until               0x00, or 0x01 followed by int32 days since 1970-01-01
 *
 *  string = int32 length in bytes of the UTF-8 text, then those bytes; length -1 (no bytes) for null
 * </pre>
 *
 * Every variable-length field carries its length, so no two different records encode alike. (A string
 * so encoded is exactly a text field of PostgreSQL's binary COPY format, which the verifier exploits.)
 * SHA-256 is the JDK's {@link MessageDigest}.
 */
public final class ChainHash {

    public static final int LENGTH = 32;
    public static final byte VERSION = 1;
    static final long PG_EPOCH_MICROS = 946_684_800_000_000L; // 2000-01-01 in microseconds since 1970
    static final int PG_EPOCH_DAYS = 10_957;                  // 2000-01-01 in days since 1970

    /** The prev_hash of the first record. */
    public static byte[] genesis() {
        return new byte[LENGTH];
    }

    private final MessageDigest sha256;
    private byte[] buf = new byte[512];
    private int len;

    public ChainHash() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** The hash of one record, given its predecessor's hash and its stored fields. */
    public byte[] hash(byte[] prevHash, long sequence, UUID personId, UUID supplierId, UUID productId, String channel,
                       String[] sortedAttributes, UUID agreementId, String legalBasis, String purpose, Instant disclosedAt,
                       int retentionDays, LocalDate retainUntil) {
        len = 0;
        put(prevHash, 0, prevHash.length);
        putByte(VERSION);
        putLong(sequence);
        putUuid(personId);
        putUuid(supplierId);
        putUuid(productId);
        putTerms(channel, sortedAttributes, agreementId, legalBasis, purpose);
        putLong(micros(disclosedAt));
        putInt(retentionDays);
        if (retainUntil == null) {
            putByte(0);
        } else {
            putByte(1);
            putInt((int) retainUntil.toEpochDay());
        }
        return digest();
    }

    /**
     * The encoding of a release's terms, channel to purpose: the part of a record the ledger keeps once per distinct
     * terms (disclosure_terms), which the verifier looks up by id instead of reading it with every record.
     */
    static byte[] termsEncoding(String channel, String[] sortedAttributes, UUID agreementId, String legalBasis, String purpose) {
        ChainHash c = new ChainHash();
        c.putTerms(channel, sortedAttributes, agreementId, legalBasis, purpose);
        return Arrays.copyOf(c.buf, c.len);
    }

    private void putTerms(String channel, String[] sortedAttributes, UUID agreementId, String legalBasis, String purpose) {
        putString(channel);
        putInt(sortedAttributes.length);
        for (String a : sortedAttributes) {
            putString(a);
        }
        if (agreementId == null) {
            putByte(0);
        } else {
            putByte(1);
            putUuid(agreementId);
        }
        putString(legalBasis);
        putString(purpose);
    }

    static long micros(Instant t) {
        return Math.multiplyExact(t.getEpochSecond(), 1_000_000L) + t.getNano() / 1_000;
    }

    // --- raw access for the verifier, which feeds bytes straight from PostgreSQL's binary COPY ---

    void reset() {
        len = 0;
    }

    void put(byte[] src, int off, int n) {
        ensure(n);
        System.arraycopy(src, off, buf, len, n);
        len += n;
    }

    void putByte(int b) {
        ensure(1);
        buf[len++] = (byte) b;
    }

    void putInt(int v) {
        ensure(4);
        buf[len++] = (byte) (v >>> 24);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
    }

    void putLong(long v) {
        putInt((int) (v >>> 32));
        putInt((int) v);
    }

    private void putUuid(UUID id) {
        putLong(id.getMostSignificantBits());
        putLong(id.getLeastSignificantBits());
    }

    private void putString(String s) {
        if (s == null) {
            putInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        putInt(b.length);
        put(b, 0, b.length);
    }

    byte[] digest() {
        sha256.update(buf, 0, len);
        return sha256.digest();
    }

    /** Digests what was put and compares with {@code expected[off..off+32)} without allocating. */
    boolean digestEquals(byte[] expected, int off, byte[] scratch) {
        sha256.update(buf, 0, len);
        try {
            sha256.digest(scratch, 0, LENGTH);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
        return Arrays.equals(scratch, 0, LENGTH, expected, off, off + LENGTH);
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }
}
