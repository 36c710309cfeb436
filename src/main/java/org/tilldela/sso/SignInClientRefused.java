package org.tilldela.sso;

/** A client registration that breaks a rule; nothing was registered. The message says which rule. */
public class SignInClientRefused extends RuntimeException {

    public SignInClientRefused(String message) {
        super(message);
    }
}
