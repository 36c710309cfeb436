package org.tilldela.provisioning;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What a reconciliation (avstämning) of one connector found: the supplier's accounts and groups compared with what
 * it should have — the connector's current licence holders who may be sent something, and their groups — and the
 * operations that bring it in line. A dry run shows the plan and sends nothing; applied, each line becomes an
 * ordinary outbox operation (so the deletion brake, per-person order and the disclosure ledger apply as always).
 *
 * @param applied        false: a dry run, nothing was queued
 * @param supplierUsers  users listed at the supplier
 * @param creates        licence holders with no account at the supplier (never made, or removed there)
 * @param updates        accounts whose attributes were changed at the supplier, or deactivated there
 * @param deactivations  active accounts of persons who should have none there (no licence the connector serves, nothing released)
 * @param deletions      deletions due (retention ended) not yet requested
 * @param groupFixes     groups removed at the supplier, members missing there, or members added there
 * @param unknownAccounts accounts Tilldela did not make (no externalId it knows): listed, never deleted or changed
 * @param unknownGroups  groups Tilldela did not make: listed only
 * @param inQueue        persons left out because operations of theirs are still waiting: the queue brings them in line
 */
public record ReconciliationPlan(UUID connectorId, Instant at, boolean applied, int supplierUsers, List<Change> creates, List<Change> updates,
                                 List<Change> deactivations, int deletions, List<GroupFix> groupFixes, List<Foreign> unknownAccounts,
                                 List<Foreign> unknownGroups, int inQueue) {

    /** One person's account: the SCIM id at the supplier (null: none) and what is wrong. */
    public record Change(UUID personId, String scimId, String why) {
    }

    /**
     * One group's drift. {@code fix}: GROUP_MISSING (removed at the supplier; made again with its members),
     * MEMBER_MISSING (removed there; added again), MEMBER_EXTRA (one of ours added there; taken out unless released),
     * MEMBER_UNKNOWN (an account Tilldela did not make; listed only).
     */
    public record GroupFix(UUID groupId, String scimId, String fix, UUID personId, String memberScimId) {
    }

    /** A resource at the supplier that Tilldela did not make (or no longer knows). */
    public record Foreign(String scimId, String externalId, String name, String why) {
    }

    /** Lines that would change something. */
    public int changes() {
        return creates.size() + updates.size() + deactivations.size() + deletions
                + (int) groupFixes.stream().filter(f -> !f.fix().equals("MEMBER_UNKNOWN")).count();
    }
}
