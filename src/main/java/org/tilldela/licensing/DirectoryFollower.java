package org.tilldela.licensing;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;
import org.tilldela.directory.DirectoryChangesRecorded;

/**
 * Follows every import (a persisted event: an import whose changes were not yet followed when the node
 * stopped is followed after the restart). Off with {@code tilldela.licensing.follow-directory=false}, as
 * the benchmark does to time the engine by itself.
 */
@Component
@ConditionalOnProperty(name = "tilldela.licensing.follow-directory", havingValue = "true", matchIfMissing = true)
class DirectoryFollower {

    private final AssignmentEngine engine;

    DirectoryFollower(AssignmentEngine engine) {
        this.engine = engine;
    }

    @ApplicationModuleListener
    void on(DirectoryChangesRecorded event) {
        engine.processImport(event.importRunId());
    }
}
