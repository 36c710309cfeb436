package org.tilldela.licensing;

/**
 * The door every new licence pool passes, whoever creates it — an order, an administrator by hand, an
 * API. Licences are what let personal data flow to a supplier, so a pool may only come into being where
 * an order could: the purchase module implements this with its compliance gate (processing agreement,
 * processing countries, the organiser's data policy). Licensing only defines the door, so it does not
 * depend on purchase.
 */
public interface PoolAdmission {

    /** Refuses (with every reason that applies) a pool that must not be created; returns when it may. */
    void admit(NewPool pool) throws PoolRefused;
}
