package org.tilldela.governance.web;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.stereotype.Component;

/**
 * Ends every web session of a disabled account: its rights were read at sign-in, and an open session would
 * keep them. (Its scope is read from the grants at every request and is already empty; this closes the rest.)
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
}
