package org.tilldela.directory.web;

import org.springframework.security.core.Authentication;
import org.tilldela.directory.Viewer;
import org.tilldela.governance.AdminRight;

/** The signed-in administrator as a directory viewer. */
final class Viewers {

    private Viewers() {
    }

    static Viewer of(Authentication auth) {
        boolean mayViewProtected = auth.getAuthorities().stream()
                .anyMatch(a -> a.getAuthority().equals(AdminRight.VIEW_PROTECTED_IDENTITIES.authority()));
        return new Viewer(auth.getName(), mayViewProtected);
    }
}
