package org.tilldela.ledger;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The accounts recipients keep for a person that were deactivated there (the pupil left, the licence ended, an
 * objection): told by the module that keeps such accounts (provisioning), so that the per-person report can say
 * "account deactivated on …" next to "deleted, confirmed on …" without the ledger knowing how accounts are kept.
 */
public interface DeactivatedAccounts {

    /** Per recipient (supplier and product) whose every account for the person is inactive: when the last one went. */
    List<Deactivation> of(UUID personId);

    record Deactivation(UUID supplierId, UUID productId, Instant at) {
    }
}
