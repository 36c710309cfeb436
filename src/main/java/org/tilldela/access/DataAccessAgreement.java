package org.tilldela.access;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.tilldela.catalog.Attribute;

/**
 * A supplier's request for personal data for one product at an organiser or school unit, and what a
 * school administrator decided (Danish: Tilslutning). Approved, it is the agreement the release policy applies.
 */
public record DataAccessAgreement(UUID id, UUID supplierId, UUID productId, UUID scopeId, AttributePackage attributePackage,
                                  Set<Attribute> requestedAttributes, Set<Attribute> approvedAttributes, String purpose, String legalBasis,
                                  int retentionDays, State state, String filedBy, Instant filedAt, List<Step> steps, LocalDate reapprovalDue) {

    public DataAccessAgreement {
        requestedAttributes = Set.copyOf(requestedAttributes);
        approvedAttributes = approvedAttributes == null ? Set.of() : Set.copyOf(approvedAttributes);
        steps = List.copyOf(steps);
    }

    public enum State {
        REQUESTED, APPROVED, DECLINED, REVOKED,
        /** A later approval for the same product and scope took its place. */
        SUPERSEDED,
        /**
         * Not re-approved by the school by its re-approval date: no longer in force, so the supplier receives MINIMAL as
         * without an agreement; the school may still re-approve it (as it was, or narrower).
         */
        LAPSED;

        public boolean isOpen() {
            return this == REQUESTED;
        }
    }

    /** One decision in the agreement's life: who, when, why, and (for approvals) which attributes. */
    public record Step(int number, Kind kind, String actor, Instant at, String reason, Set<Attribute> attributes) {
        public enum Kind { FILED, APPROVED, NARROWED, DECLINED, REVOKED, SUPERSEDED, REAPPROVED, LAPSED }
    }

    public boolean isInForce() {
        return state == State.APPROVED;
    }

    /** Comes up for re-approval by the school: in force, with a re-approval date (kept when lapsed, for the record). */
    public boolean isDueForReapproval() {
        return (state == State.APPROVED || state == State.LAPSED) && reapprovalDue != null;
    }

    /** What the agreement lets the supplier receive now: nothing unless approved. */
    public Set<Attribute> attributesInForce() {
        return isInForce() ? approvedAttributes : Set.of();
    }
}
