package org.tilldela.ledger;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;
import org.tilldela.directory.DirectoryChangesRecorded;
import org.tilldela.directory.DirectoryEvent;
import org.tilldela.directory.DirectoryJournal;
import org.tilldela.licensing.LicenceEnded;

/** Starts the retention clock when a licence ends or a person leaves (persisted events: nothing is lost in a crash). */
@Component
class RetentionListener {

    private final Retention retention;
    private final DirectoryJournal journal;

    RetentionListener(Retention retention, DirectoryJournal journal) {
        this.retention = retention;
        this.journal = journal;
    }

    @ApplicationModuleListener
    void on(LicenceEnded event) {
        retention.relationEnded(event.personId(), event.productId(), event.endedOn());
    }

    /** Every recipient of a leaver's data: the relation ends on the day the import recorded the leaving. */
    @ApplicationModuleListener
    void on(DirectoryChangesRecorded event) {
        Map<LocalDate, List<UUID>> leftOn = new LinkedHashMap<>();
        for (DirectoryEvent.PersonLeft left : journal.leaversOf(event.importRunId())) {
            leftOn.computeIfAbsent(LocalDate.ofInstant(left.recordedAt(), ZoneId.systemDefault()), d -> new ArrayList<>()).add(left.personId());
        }
        leftOn.forEach((day, persons) -> retention.relationsEnded(persons, null, day));
    }
}
