package org.tilldela.ledger.web;

import org.springframework.security.core.Authentication;
import org.tilldela.directory.Viewer;
import org.tilldela.governance.AdminRight;

/** The signed-in data protection officer as a viewer of persons (protected ones masked unless they hold the right). */
final class LedgerViewers {

    private LedgerViewers() {
    }

    static Viewer of(Authentication auth) {
        boolean mayViewProtected = auth.getAuthorities().stream()
                .anyMatch(a -> a.getAuthority().equals(AdminRight.VIEW_PROTECTED_IDENTITIES.authority()));
        return new Viewer(auth.getName(), mayViewProtected);
    }
}
