package org.tilldela.access;

import java.time.Instant;
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
                                  int retentionDays, State state, String filedBy, Instant filedAt, List<Step> steps) {

    public DataAccessAgreement {
        requestedAttributes = Set.copyOf(requestedAttributes);
        approvedAttributes = approvedAttributes == null ? Set.of() : Set.copyOf(approvedAttributes);
        steps = List.copyOf(steps);
    }

    public enum State {
        REQUESTED, APPROVED, DECLINED, REVOKED,
        /** A later approval for the same product and scope took its place. */
        SUPERSEDED;

        public boolean isOpen() {
            return this == REQUESTED;
        }
    }

    /** One decision in the agreement's life: who, when, why, and (for approvals) which attributes. */
    public record Step(int number, Kind kind, String actor, Instant at, String reason, Set<Attribute> attributes) {
        public enum Kind { FILED, APPROVED, NARROWED, DECLINED, REVOKED, SUPERSEDED }
    }

    public boolean isInForce() {
        return state == State.APPROVED;
    }

    /** What the agreement lets the supplier receive now: nothing unless approved. */
    public Set<Attribute> attributesInForce() {
        return isInForce() ? approvedAttributes : Set.of();
    }
}
