package org.tilldela.access;

/** A request or decision that breaks a rule; nothing was changed. The message says which rule, in plain words. */
public class DataAccessRefused extends RuntimeException {
    public DataAccessRefused(String message) {
        super(message);
    }
}
