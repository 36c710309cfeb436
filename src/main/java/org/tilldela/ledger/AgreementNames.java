package org.tilldela.ledger;

import java.time.LocalDate;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;

/**
 * The data-access agreements a release was made under, named for reports: told by the module that keeps them
 * (access — which records every release here, so the ledger cannot ask it directly), so that a report names an
 * agreement by supplier, product and dates rather than by its id.
 */
public interface AgreementNames {

    /** The agreements known among {@code ids}, by id. */
    Map<UUID, Agreement> of(Collection<UUID> ids);

    /**
     * @param approvedOn the day it was last approved; null: never approved
     * @param endedOn the day it was revoked or replaced by a later approval; null: still in force (or never was)
     */
    record Agreement(UUID id, UUID supplierId, UUID productId, LocalDate filedOn, LocalDate approvedOn, LocalDate endedOn) {
    }
}
