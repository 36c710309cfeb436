package org.tilldela.access;

import java.util.UUID;

/**
 * What may go about the persons placed at a unit (the agreement's scope) to a product changed: an agreement was
 * approved (and any before it superseded), revoked, narrowed at its re-approval, or lapsed. Published in the agreement's
 * own transaction, so whoever already sent those persons' data can bring it in line (a supplier's accounts) in the same
 * commit, as after an objection ({@link ObjectionChanged}) — not at the next unrelated change.
 *
 * @param change APPROVED, REVOKED, NARROWED or LAPSED
 */
public record DataAccessAgreementChanged(UUID agreementId, UUID productId, UUID scopeId, String change) {
}
