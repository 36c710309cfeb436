package org.tilldela.directory.importing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Tilldela's id of an imported record: a name-based UUID of (source, entity, source id). The same
 * record of the same source always gets the same id, so a snapshot can be compared with what is stored
 * without looking anything up, and ids stay stable across re-imports.
 */
public final class Ids {

    private Ids() {
    }

    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    /** Equal to {@code UUID.nameUUIDFromBytes} of the same bytes (a version 3 UUID), without a digest lookup per call. */
    public static UUID of(String source, Entity entity, String sourceId) {
        byte[] md5 = MD5.get().digest((source + '\u0000' + entity.name() + '\u0000' + sourceId).getBytes(StandardCharsets.UTF_8));
        md5[6] &= 0x0f;
        md5[6] |= 0x30;
        md5[8] &= 0x3f;
        md5[8] |= (byte) 0x80;
        return uuidOf(md5);
    }

    /** The 16 bytes of a digest as a UUID (big-endian halves), as content hashes are stored. */
    static UUID uuidOf(byte[] digest) {
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (digest[i] & 0xff);
            lsb = (lsb << 8) | (digest[8 + i] & 0xff);
        }
        return new UUID(msb, lsb);
    }
}
