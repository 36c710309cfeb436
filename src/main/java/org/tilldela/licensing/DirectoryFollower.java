package org.tilldela.licensing;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;
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

    /**
     * Not an {@code @ApplicationModuleListener}: that would wrap the run in a transaction of its own, which would hold a
     * database connection idle for the whole run while the engine's batches each take another (a burst of imports
     * followed at once could then empty the pool). The publication is still marked complete when this returns.
     */
    @Async
    @TransactionalEventListener
    void on(DirectoryChangesRecorded event) {
        engine.processImport(event.importRunId());
    }
}
