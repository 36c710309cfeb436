package org.tilldela.provisioning;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.context.event.EventListener;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;
import org.tilldela.access.DataAccessAgreementChanged;
import org.tilldela.access.ObjectionChanged;
import org.tilldela.directory.DirectoryChangesRecorded;
import org.tilldela.directory.DirectoryEvent;
import org.tilldela.directory.DirectoryJournal;
import org.tilldela.directory.Rosters;
import org.tilldela.licensing.LicenceEnded;
import org.tilldela.licensing.LicenceGranted;

/**
 * What makes operations: licences granted and ended (in the licensing transaction itself, so the operation
 * commits with the licence), and the directory's journal of each import (persisted event: nothing is lost in a
 * crash, and a redelivery only queues a SYNC that changes nothing).
 */
@Component
class ProvisioningListener {

    private final Outbox outbox;
    private final DirectoryJournal journal;
    private final Rosters rosters;

    ProvisioningListener(Outbox outbox, DirectoryJournal journal, Rosters rosters) {
        this.outbox = outbox;
        this.journal = journal;
        this.rosters = rosters;
    }

    @EventListener
    void on(LicenceGranted event) {
        outbox.onCommit(new Outbox.ProductChange(event.personId(), event.productId(), "LICENCE_GRANTED"));
    }

    /** A SYNC, not a DEACTIVATE: the person may still hold another product the connector serves. */
    @EventListener
    void on(LicenceEnded event) {
        outbox.onCommit(new Outbox.ProductChange(event.personId(), event.productId(), "LICENCE_ENDED"));
    }

    /**
     * An objection recorded (or withdrawn): the person's account at every connector of that supplier (of every supplier,
     * for an objection towards all) is brought in line at once — the next push releases less, and deactivates the
     * account when nothing may go — not at the next unrelated change. In the objection's transaction, like a licence.
     */
    @EventListener
    void on(ObjectionChanged event) {
        outbox.enqueueForSupplier(event.personId(), event.supplierId(), event.inForce() ? "OBJECTION_RECORDED" : "OBJECTION_WITHDRAWN");
    }

    /**
     * A data-access agreement approved, revoked, narrowed or lapsed: the accounts of the persons placed at its unit (or
     * below), at the connectors serving its product, are brought in line at once — names and e-mail pushed under an
     * agreement now revoked would otherwise stay at the supplier until some unrelated change. In the agreement's
     * transaction, like an objection.
     */
    @EventListener
    void on(DataAccessAgreementChanged event) {
        if (!outbox.anyAccount()) {
            return;
        }
        List<UUID> placed = rosters.persons(new Rosters.Selector(Rosters.Kind.ORGANISATION, event.scopeId(), null, null, null, null, null, null));
        outbox.enqueueForProduct(placed, event.productId(), "AGREEMENT_" + event.change());
    }

    /**
     * Movers are brought up to date (new class, school unit, role) and returning persons re-activated where they
     * have an account; leavers are deactivated at once; a person whose own attributes changed (a new name, e-mail) is updated
     * at every connector that holds an account for them. Persons without an account at a connector are its
     * business only once a licence is granted (LicenceGranted).
     */
    @ApplicationModuleListener
    void on(DirectoryChangesRecorded event) {
        if (!outbox.anyAccount()) {
            return; // no connector holds an account for anyone yet (a first import): nothing to bring up to date
        }
        Set<UUID> sync = new LinkedHashSet<>();
        Set<UUID> left = new LinkedHashSet<>();
        Set<UUID> changedOnly = new LinkedHashSet<>();
        for (DirectoryEvent e : journal.ofImport(event.importRunId())) {
            switch (e) {
                case DirectoryEvent.PersonMoved moved -> sync.add(moved.personId());
                case DirectoryEvent.PersonJoined joined -> sync.add(joined.personId());
                // a new name, e-mail, …: every supplier that holds the old value gets the new one (a SYNC sends what the
                // release policy lets go today, so an attribute the supplier may not have is not sent by it either)
                case DirectoryEvent.PersonChanged changed -> changedOnly.add(changed.personId());
                case DirectoryEvent.PersonLeft gone -> left.add(gone.personId());
                // a group renamed or its members changed: the members' own events bring their memberships; a new group name is not pushed yet
                case DirectoryEvent.GroupChanged group -> {
                }
            }
        }
        sync.removeAll(left);
        changedOnly.removeAll(left);
        changedOnly.removeAll(sync); // a mover's SYNC brings the new name too: one operation, not two
        outbox.enqueueForAccounts(sync, "SYNC", "PERSON_MOVED", false);
        outbox.enqueueForAccounts(changedOnly, "SYNC", "PERSON_CHANGED", false);
        outbox.enqueueForAccounts(left, "DEACTIVATE", "PERSON_LEFT", true);
    }
}
