package org.tilldela.governance;

import java.util.Set;
import java.util.UUID;

/**
 * Where a grant applies: the whole installation, or organisation units (organisers or school units, each
 * with everything below it); either optionally narrowed to school forms (codes such as FS, GR; empty: all).
 */
public record GrantScope(boolean wholeInstallation, Set<UUID> organisations, Set<String> schoolForms) {

    public GrantScope {
        organisations = organisations == null ? Set.of() : Set.copyOf(organisations);
        schoolForms = schoolForms == null ? Set.of() : Set.copyOf(schoolForms);
        if (wholeInstallation == !organisations.isEmpty()) {
            throw new IllegalArgumentException("A grant applies either to the whole installation or to one or more organisation units.");
        }
    }

    public static GrantScope wholeInstallationScope() {
        return new GrantScope(true, Set.of(), Set.of());
    }

    public static GrantScope units(Set<UUID> organisations, Set<String> schoolForms) {
        return new GrantScope(false, organisations, schoolForms);
    }
}
