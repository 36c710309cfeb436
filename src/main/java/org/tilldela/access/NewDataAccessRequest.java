package org.tilldela.access;

import java.util.Set;
import java.util.UUID;
import org.tilldela.catalog.Attribute;

/**
 * What a supplier (or an administrator on its behalf) asks for. {@code attributes} may be empty: then the
 * package's attributes that the product declares are requested.
 */
public record NewDataAccessRequest(UUID productId, UUID scopeId, AttributePackage attributePackage, Set<Attribute> attributes,
                                   String purpose, String legalBasis, int retentionDays) {
    public NewDataAccessRequest {
        attributes = attributes == null ? Set.of() : Set.copyOf(attributes);
    }
}
