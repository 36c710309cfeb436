package org.tilldela.purchase;

/**
 * What a scoped administrator asked about (a held order, a buyer's scope, an organisation to buy for) lies outside
 * their grant, or does not exist: the two are told apart by nobody, so the pages answer 404 for both and nothing changed.
 */
public class NotInScope extends RuntimeException {
    public NotInScope(String message) {
        super(message);
    }
}
