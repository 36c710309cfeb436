package org.tilldela.governance;

import org.springframework.security.core.AuthenticationException;

/**
 * A right password, refused all the same: the account belongs to an organiser with its own identity provider and
 * signs in through it ({@link AdminSignIn}). Only told after the password was right, so it reveals nothing to a guesser.
 */
public class UpstreamSignInRequired extends AuthenticationException {

    UpstreamSignInRequired() {
        super("This account signs in through its organiser's identity provider.");
    }
}
