package org.tilldela.directory.importing;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Tilldela's id of an imported record: a name-based UUID of (source, entity, source id). The same
 * record of the same source always gets the same id, so a snapshot can be compared with what is stored
 * without looking anything up, and ids stay stable across re-imports.
 */
public final class Ids {

    private Ids() {
    }

    public static UUID of(String source, Entity entity, String sourceId) {
        return UUID.nameUUIDFromBytes((source + '\u0000' + entity.name() + '\u0000' + sourceId).getBytes(StandardCharsets.UTF_8));
    }
}
