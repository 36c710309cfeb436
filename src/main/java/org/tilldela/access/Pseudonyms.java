package org.tilldela.access;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import org.tilldela.platform.OneRoundTrip;

/**
 * Pairwise pseudonymous ids: the same person has a different, stable id at every supplier, so two
 * suppliers cannot link what they hold. HMAC-SHA256 over supplier and person id with a key kept in the
 * database (generated once), shaped as a UUID. A person re-keyed by migration V2026.12.01.55 keeps the
 * pseudonyms made from their former id (table pseudonym_basis).
 */
@Component
class Pseudonyms {

    private final JdbcClient jdbc;
    private final TransactionTemplate ownTransaction;
    private volatile SecretKeySpec key;

    Pseudonyms(JdbcClient jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        // the key must be committed before any id made with it leaves, whatever becomes of the caller's transaction
        this.ownTransaction = new TransactionTemplate(transactions);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    UUID of(UUID personId, UUID supplierId) {
        return fromBasis(basisOf(personId), supplierId);
    }

    /** The pseudonym made from a basis already read ({@link #BASIS}). */
    UUID fromBasis(UUID basis, UUID supplierId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key());
            byte[] digest = mac.doFinal(ByteBuffer.allocate(32)
                    .putLong(supplierId.getMostSignificantBits()).putLong(supplierId.getLeastSignificantBits())
                    .putLong(basis.getMostSignificantBits()).putLong(basis.getLeastSignificantBits()).array());
            ByteBuffer b = ByteBuffer.wrap(digest);
            long msb = (b.getLong() & ~0xF000L) | 0x8000L; // version 8: custom
            long lsb = (b.getLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
            return new UUID(msb, lsb);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What the person's pseudonyms are made from: their id, or for a person released before their id was
     * re-keyed (migration V2026.12.01.55) their former id, so that a supplier keeps knowing them by the same
     * pseudonym. (One primary-key lookup; the table is empty in installations that never had former ids.)
     */
    private UUID basisOf(UUID personId) {
        return jdbc.sql("select basis_id from pseudonym_basis where person_id = :p").param("p", personId).query(UUID.class).optional().orElse(personId);
    }

    /** The basis of the person {@code :person}'s pseudonyms, as a read to compose into one round trip: empty means their id. */
    static final OneRoundTrip.Read<java.util.Optional<UUID>> BASIS = OneRoundTrip.Read.of("select basis_id from pseudonym_basis where person_id = :person",
            rs -> rs.next() ? java.util.Optional.of(rs.getObject(1, UUID.class)) : java.util.Optional.empty());

    private SecretKeySpec key() {
        if (key == null) {
            synchronized (this) {
                if (key == null) {
                    byte[] fresh = new byte[32];
                    new SecureRandom().nextBytes(fresh);
                    byte[] stored = ownTransaction.execute(status -> {
                        jdbc.sql("insert into pseudonym_key (id, secret) values (1, :s) on conflict (id) do nothing").param("s", fresh).update();
                        return jdbc.sql("select secret from pseudonym_key where id = 1").query(byte[].class).single();
                    });
                    key = new SecretKeySpec(stored, "HmacSHA256");
                }
            }
        }
        return key;
    }
}
