package org.tilldela.governance;

import java.time.Instant;
import org.springframework.security.authentication.LockedException;

/**
 * Sign-in refused because there were too many failed sign-ins for the account name or from the address,
 * whatever the password: the web door says so on the login page, the API door answers 429 with
 * Retry-After.
 */
public class SignInLockedOut extends LockedException {

    private final Instant until;

    public SignInLockedOut(Instant until) {
        super("too many failed sign-ins; locked out until " + until);
        this.until = until;
    }

    public Instant until() {
        return until;
    }
}
