package org.tilldela.directory;

import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;
import org.tilldela.governance.DutyGrants;

/**
 * Re-evaluates the grants that governance's duty rules derive after every import (a persisted event, as the
 * licensing module follows imports): a principal who left loses the school's rights, one who moved loses the old
 * school's and gets the new one's. It lives here, not in governance, because the directory depends on governance
 * (for scopes and the audit trail): a listener there would make the two modules depend on each other.
 */
@Component
class DutyGrantsFollower {

    private final DutyGrants dutyGrants;

    DutyGrantsFollower(DutyGrants dutyGrants) {
        this.dutyGrants = dutyGrants;
    }

    @ApplicationModuleListener
    void on(DirectoryChangesRecorded event) {
        dutyGrants.reconcile("IMPORT", event.importRunId());
    }
}
