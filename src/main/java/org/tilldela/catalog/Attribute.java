package org.tilldela.catalog;

/**
 * The controlled vocabulary of personal data a product may declare it needs and a supplier may receive.
 * Declarations, data-access agreements, privacy previews and ledger records all speak these names.
 */
public enum Attribute {
    /** An id for the person that is different for every supplier (pairwise), so suppliers cannot link. */
    PSEUDONYMOUS_ID,
    /** The organiser (huvudman / skoleejer). */
    ORGANISATION,
    SCHOOL_UNIT,
    GROUPS,
    /** Pupil, teacher, other staff. */
    ROLES,
    /** Årskurs / klassetrin. */
    GRADE,
    GIVEN_NAME,
    FAMILY_NAME,
    EMAIL,
    GUARDIAN_LINKS,
    PHONE,
    /** Personnummer / CPR-nummer. */
    CIVIC_NUMBER,
    /** Whether the person has a protected identity; only ever to a public authority. */
    PROTECTION_FLAG;

    /** Never give these to a supplier unless a data protection officer approved it. */
    public boolean isSensitive() {
        return this == CIVIC_NUMBER || this == PROTECTION_FLAG;
    }
}
