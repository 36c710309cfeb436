package org.tilldela.provisioning.roster;

import java.util.Set;

/** The OAuth 2 scopes of the OneRoster 1.2 rostering service (1EdTech's URIs). */
final class OneRosterScopes {

    /** Every rostering read but demographics. */
    static final String CORE = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly";
    /** Every rostering read, demographics included. */
    static final String ROSTER = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly";
    /** Demographics only. */
    static final String DEMOGRAPHICS = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly";

    static final Set<String> ALL = Set.of(CORE, ROSTER, DEMOGRAPHICS);

    static String authority(String scope) {
        return "SCOPE_" + scope;
    }

    private OneRosterScopes() {
    }
}
