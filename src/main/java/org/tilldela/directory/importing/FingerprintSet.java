package org.tilldela.directory.importing;

import java.util.UUID;

/**
 * A set of record fingerprints (or other 128-bit digests), for a reader that meets the same record more than once and
 * must read it once: three longs a slot and no object per member, where a set of strings costs a string, a node and
 * a hash of its characters each (a million guardian links a night, most listed from both sides).
 */
public final class FingerprintSet extends UuidSlots {

    public FingerprintSet(int expected) {
        super(3, expected);
    }

    /** True when the fingerprint was not in the set (it is now). */
    public boolean add(UUID fingerprint) {
        long hi = fingerprint.getMostSignificantBits();
        long lo = fingerprint.getLeastSignificantBits();
        if (!free(slotOf(hi, lo))) {
            return false;
        }
        insertAbsent(hi, lo);
        return true;
    }

    public int size() {
        return size;
    }
}
