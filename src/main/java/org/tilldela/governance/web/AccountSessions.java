package org.tilldela.governance.web;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.stereotype.Component;

/**
 * Ends every web session of a disabled account: its rights were read at sign-in, and an open session would
 * keep them. (Its scope is read from the grants at every request and is already empty; this closes the rest.) And the
 * other sessions of an account that has just set up its second factor.
 */
@Component
class AccountSessions {

    /** Absent when the jar runs as a command (no web server, no sessions). */
    private final ObjectProvider<FindByIndexNameSessionRepository<? extends Session>> sessions;

    AccountSessions(ObjectProvider<FindByIndexNameSessionRepository<? extends Session>> sessions) {
        this.sessions = sessions;
    }

    void signOut(String username) {
        sessions.ifAvailable(stored -> stored.findByPrincipalName(username).keySet().forEach(stored::deleteById));
    }

    /**
     * Ends every web session of the account but {@code keep}: when the account sets up its second factor, its sessions
     * signed in with the password alone would otherwise go on without it (and could make personal API tokens, which
     * stand for both).
     */
    void signOutAllBut(String username, String keep) {
        sessions.ifAvailable(stored -> stored.findByPrincipalName(username).keySet().stream().filter(id -> !id.equals(keep))
                .forEach(stored::deleteById));
    }
}
