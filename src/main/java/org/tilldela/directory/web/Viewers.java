package org.tilldela.directory.web;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;
import org.tilldela.directory.Viewer;
import org.tilldela.governance.AdminRight;
import org.tilldela.governance.Scopes;

/** The signed-in administrator as a directory viewer: their DIRECTORY_ADMIN scope, and where they may see protected identities. */
@Component
class Viewers {

    private final Scopes scopes;

    Viewers(Scopes scopes) {
        this.scopes = scopes;
    }

    Viewer of(Authentication auth) {
        return new Viewer(auth.getName(), scopes.of(auth, AdminRight.DIRECTORY_ADMIN), scopes.of(auth, AdminRight.VIEW_PROTECTED_IDENTITIES));
    }
}
