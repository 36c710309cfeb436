package org.tilldela.ledger.web;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;
import org.tilldela.directory.Viewer;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.Scopes;

/**
 * The signed-in data protection officer as a viewer of persons: within their DATA_PROTECTION_OFFICER scope
 * (a person outside it is not found), protected ones masked outside their VIEW_PROTECTED_IDENTITIES scope.
 */
@Component
class LedgerViewers {

    private final Scopes scopes;

    LedgerViewers(Scopes scopes) {
        this.scopes = scopes;
    }

    Viewer of(Authentication auth) {
        return new Viewer(auth.getName(), scopes.of(auth, AdminRight.DATA_PROTECTION_OFFICER), scopes.of(auth, AdminRight.VIEW_PROTECTED_IDENTITIES));
    }
}
