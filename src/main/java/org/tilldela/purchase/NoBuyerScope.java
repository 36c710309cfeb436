package org.tilldela.purchase;

/** The account has no buyer scope: an administrator must first say which organisation it buys for. */
public class NoBuyerScope extends RuntimeException {
    public NoBuyerScope(String username) {
        super("The account " + username + " has no buyer scope: an administrator must set which organisation it buys for before it can order.");
    }
}
