package org.tilldela.licensing;

import org.springframework.stereotype.Component;
import org.tilldela.directory.JournalFollower;

/** Licensing catches up on the journal from its watermark ({@link AssignmentEngine#catchUp}): nothing after it may go. */
@Component
class JournalWatermark implements JournalFollower {

    private final AssignmentEngine engine;

    JournalWatermark(AssignmentEngine engine) {
        this.engine = engine;
    }

    @Override
    public long followedThrough() {
        return engine.watermark();
    }
}
