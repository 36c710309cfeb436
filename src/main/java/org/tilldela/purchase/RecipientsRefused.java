package org.tilldela.purchase;

/** Recipients the buyer may not name: outside their scope, or not in the directory. The message says which and why. */
public class RecipientsRefused extends RuntimeException {
    public RecipientsRefused(String message) {
        super(message);
    }
}
