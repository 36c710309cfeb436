package org.tilldela.directory;

/**
 * A person's protection marking as registered by the population register (SS 12000 securityMarking).
 * Anything but NONE means the person's name and whereabouts must not reach anyone not entitled to them.
 */
public enum Protection {
    /** Ingen. */
    NONE("Ingen"),
    /** Sekretessmarkering. */
    CONFIDENTIAL("Sekretessmarkering"),
    /** Skyddad folkbokföring; Danish navne- og adressebeskyttelse. */
    PROTECTED_REGISTRATION("Skyddad folkbokföring");

    private final String ss12000Value;

    Protection(String ss12000Value) {
        this.ss12000Value = ss12000Value;
    }

    /** Parses SS 12000's value (also used in OneRoster's metadata.securityMarking); blank means NONE. */
    public static Protection fromSs12000(String value) {
        if (value == null || value.isBlank()) {
            return NONE;
        }
        for (Protection p : values()) {
            if (p.ss12000Value.equalsIgnoreCase(value.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown securityMarking '" + value + "' (expected Ingen, Sekretessmarkering or Skyddad folkbokföring)");
    }
}
