package org.tilldela.purchase;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import org.tilldela.access.AttributePackage;
import org.tilldela.catalog.Attribute;

/**
 * What an organiser lets a product receive without its data protection officer's approval. Without a
 * policy of its own an organiser has the default: the MINIMAL and SMALL packages (names, no contact data,
 * no civic number).
 */
public record DataPolicy(UUID organiserId, Set<Attribute> allowed, boolean isDefault, String updatedBy, Instant updatedAt) {

    public static final Set<Attribute> DEFAULT = Collections.unmodifiableSet(EnumSet.copyOf(AttributePackage.SMALL.attributes()));

    public DataPolicy {
        allowed = allowed.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(allowed));
    }

    /** What the declaration asks for beyond the policy (empty when within it). */
    public Set<Attribute> beyond(Set<Attribute> declared) {
        Set<Attribute> beyond = EnumSet.noneOf(Attribute.class);
        declared.stream().filter(a -> !allowed.contains(a)).forEach(beyond::add);
        return beyond;
    }
}
