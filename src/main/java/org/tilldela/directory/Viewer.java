package org.tilldela.directory;

import org.tilldela.governance.CallerScope;

/**
 * Who is looking at the directory: which records they may see at all ({@code scope}, from the right they
 * exercise) and whose protected identity they may see within it ({@code protectedIdentities}, from
 * VIEW_PROTECTED_IDENTITIES, a right of its own within its own scope).
 */
public record Viewer(String username, CallerScope scope, CallerScope protectedIdentities) {

    /**
     * A viewer over the whole installation, seeing protected identities everywhere or nowhere: for reports
     * whose own module does not filter by scope yet, and for the system's own work.
     */
    public Viewer(String username, boolean mayViewProtected) {
        this(username, CallerScope.wholeInstallation(), mayViewProtected ? CallerScope.wholeInstallation() : CallerScope.nothing());
    }

    /** May see some protected identities (within {@link #protectedIdentities()}). */
    public boolean mayViewProtected() {
        return !protectedIdentities.isNothing();
    }
}
