package org.tilldela.access;

import static org.tilldela.catalog.Attribute.*;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import org.tilldela.catalog.Attribute;

/**
 * Graded attribute packages, like the Danish export packages (minimal, lille, mellem, stor): each one
 * adds to the one before. An agreement names a package and may be narrower than it.
 */
public enum AttributePackage {
    /** Pairwise pseudonymous id, organisation and school unit, groups, roles, grade — no names. */
    MINIMAL(EnumSet.of(PSEUDONYMOUS_ID, ORGANISATION, SCHOOL_UNIT, GROUPS, ROLES, GRADE)),
    SMALL(with(MINIMAL.attributes, GIVEN_NAME, FAMILY_NAME)),
    MEDIUM(with(SMALL.attributes, EMAIL, GUARDIAN_LINKS)),
    /** Further contact data, and the civic number. */
    LARGE(with(MEDIUM.attributes, PHONE, CIVIC_NUMBER)),
    /** Only for recipients that are public authorities: may include whether a person's identity is protected. */
    PUBLIC_AUTHORITY(with(LARGE.attributes, PROTECTION_FLAG));

    private final Set<Attribute> attributes;

    AttributePackage(Set<Attribute> attributes) {
        this.attributes = Collections.unmodifiableSet(attributes);
    }

    public Set<Attribute> attributes() {
        return attributes;
    }

    public boolean contains(Attribute attribute) {
        return attributes.contains(attribute);
    }

    private static Set<Attribute> with(Set<Attribute> base, Attribute... more) {
        EnumSet<Attribute> set = EnumSet.copyOf(base);
        Collections.addAll(set, more);
        return set;
    }
}
