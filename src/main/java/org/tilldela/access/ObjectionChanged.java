package org.tilldela.access;

import java.util.UUID;

/**
 * An objection (invändning) was recorded or withdrawn: from now the release policy lets go less — or, once withdrawn,
 * again — about the person to the supplier it names. Published in the objection's own transaction, so whoever has
 * already sent the person's data can act on it (a supplier's account brought in line) in the same commit.
 *
 * @param supplierId null: the objection is towards every supplier
 * @param inForce    true: recorded; false: withdrawn
 */
public record ObjectionChanged(UUID personId, UUID supplierId, boolean inForce) {
}
