package org.tilldela.directory.importing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.UUID;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.tilldela.platform.InstanceSecrets;

/**
 * Tilldela's id of an imported record: HMAC-SHA256 of (source, entity, source id) under this
 * installation's secret {@value #SECRET}, shaped as a version 8 UUID. The same record of the same source
 * always gets the same id, so a snapshot can be compared with what is stored without looking anything up,
 * and ids stay stable across re-imports.
 *
 * <p>Keyed, not a plain name-based (MD5) UUID as before V2026.12.01.55: many Swedish exports use the civic
 * number as a person's source id, and a plain hash of it can be reversed by trying every birth date and
 * four digits. Without the secret an id says nothing about the source id it was made from.
 */
@Component
public final class Ids {

    /** The purpose under which the key is kept in {@code instance_secret}. */
    public static final String SECRET = "directory-ids";

    private final Supplier<byte[]> secret;
    private volatile SecretKeySpec key;
    /** Initialised once per thread: the key schedule (HMAC's inner and outer pads) is not redone per id. */
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

    @Autowired
    Ids(InstanceSecrets secrets) {
        // read on first use, not at start: the command-line context and tests need not touch the database for it
        this(() -> secrets.secret(SECRET));
    }

    private Ids(Supplier<byte[]> secret) {
        this.secret = secret;
    }

    /** Ids under the given key (the migration that re-keys stored ids, and tests). */
    public static Ids keyedWith(byte[] secret) {
        byte[] copy = secret.clone();
        return new Ids(() -> copy);
    }

    public UUID of(String source, Entity entity, String sourceId) {
        byte[] digest = macs.get().doFinal((source + '\u0000' + entity.name() + '\u0000' + sourceId).getBytes(StandardCharsets.UTF_8));
        // the first 16 of 32 bytes, with the version (8: custom) and IETF variant bits set as RFC 9562 asks
        digest[6] &= 0x0f;
        digest[6] |= (byte) 0x80;
        digest[8] &= 0x3f;
        digest[8] |= (byte) 0x80;
        return uuidOf(digest);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key());
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private SecretKeySpec key() {
        SecretKeySpec k = key;
        if (k == null) {
            synchronized (this) {
                if (key == null) {
                    key = new SecretKeySpec(secret.get(), "HmacSHA256");
                }
                k = key;
            }
        }
        return k;
    }

    /** The first 16 bytes of a digest as a UUID (big-endian halves), as ids and content hashes are stored. */
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
