package org.tilldela.governance;

import org.springframework.security.core.AuthenticationException;

/**
 * The API's HTTP Basic door refuses a right password of an account that must have a second factor: the password
 * alone would be a way round it. Such an account calls the API with a personal API token ({@link ApiTokens}).
 */
public class PasswordAloneRefused extends AuthenticationException {

    PasswordAloneRefused() {
        super("This account has a second factor: use a personal API token, not the password.");
    }
}
