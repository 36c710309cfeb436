package org.tilldela.platform;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.UUID;

/**
 * Many UUIDs as one statement parameter, cheaply. PostgreSQL's JDBC driver sends a {@code UUID[]} as the text of an
 * array literal, writing and escaping every character of every id (36 each): for a report of 10,000 rows that was a
 * sixth of the JVM's time. An array of {@code bytea} goes in the driver's binary format instead, 16 bytes an id as
 * they are; the statement turns each back into a uuid with {@link #AS_UUID}.
 *
 * <pre>select ... from unnest(:ids::bytea[]) as b (id) ... encode(b.id, 'hex')::uuid</pre>
 */
public final class UuidArrays {

    /** The SQL that turns one element, {@code %s}, of such an array back into a uuid. */
    public static final String AS_UUID = "encode(%s, 'hex')::uuid";

    private UuidArrays() {
    }

    /** The ids in the order given, for a {@code bytea[]} parameter; a null id stays null. */
    public static byte[][] of(Collection<UUID> ids) {
        byte[][] out = new byte[ids.size()][];
        int i = 0;
        for (UUID id : ids) {
            out[i++] = id == null ? null : bytes(id);
        }
        return out;
    }

    /** One id as its 16 bytes, most significant first (as PostgreSQL keeps a uuid). */
    public static byte[] bytes(UUID id) {
        return ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).array();
    }
}
