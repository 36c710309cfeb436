package org.tilldela.access;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.tilldela.catalog.Attribute;
import org.tilldela.ledger.Channel;

/**
 * What the release policy let go about one person to one product's supplier over one channel: the values,
 * and the agreement and legal basis they went under. Empty when nothing may go; {@code reason} says why.
 * Every non-empty release has exactly one ledger record with the same attribute names.
 */
public record Release(UUID personId, UUID productId, UUID supplierId, Channel channel, Map<Attribute, Object> values, UUID agreementId,
                      String legalBasis, String reason, Long ledgerSequence) {

    public Release {
        values = values.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(values));
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public Set<Attribute> attributes() {
        return values.keySet();
    }
}
