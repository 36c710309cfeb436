package org.tilldela.directory.importing;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/**
 * Import run ids ordered by when they were made: UUID version 7 (RFC 9562 §5.7) — the Unix time in milliseconds in the
 * first 48 bits, then the version, 74 random bits and the variant.
 *
 * <p>Why: the journal is indexed by (run, sequence number), and a run writes its entries in sequence order. With a
 * random run id each entry went into the middle of that index, down from its root and splitting pages there; with a
 * run id later than every earlier run's, they are appended at the index's right end, as the primary key's are
 * (PostgreSQL's fast path for the rightmost page). A first import's million entries: 7.0–7.5 → 4.5–5.4 s in psql.
 */
final class TimeOrderedIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TimeOrderedIds() {
    }

    static UUID next() {
        return at(Clock.systemUTC().millis());
    }

    static UUID at(long epochMillis) {
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        long high = (epochMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000 | (random[0] & 0x0F) << 8 | random[1] & 0xFF;
        long low = 0;
        for (int i = 2; i < 10; i++) {
            low = low << 8 | random[i] & 0xFF;
        }
        low = low & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L;
        return new UUID(high, low);
    }
}
