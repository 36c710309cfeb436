package org.tilldela.access;

/**
 * A request or decision that breaks a rule; nothing was changed. The message says which rule, in plain
 * English words (the API's answer); {@code code} and {@code args} let a page say it in the reader's
 * language (messages {@code access.refused.<code>}).
 */
public class DataAccessRefused extends RuntimeException {

    private final String code;
    private final transient Object[] args;

    public DataAccessRefused(String message) {
        this(null, message);
    }

    public DataAccessRefused(String code, String message, Object... args) {
        super(message);
        this.code = code;
        this.args = args.clone();
    }

    /** The message key under {@code access.refused.}, or null when there is only the English message. */
    public String code() {
        return code;
    }

    public Object[] args() {
        return args.clone();
    }
}
