package org.tilldela.ledger;

/** Where a recipient's copy of a person's data stands with respect to deletion. */
public enum DeletionState {
    /** The recipient may keep the data: the relation lasts, or its retention has not run out. */
    HELD,
    /** The retention ran out: a deletion request is due. */
    DUE,
    /** A deletion request was sent; the recipient has not confirmed it. */
    REQUESTED,
    /** The recipient confirmed the deletion. */
    CONFIRMED
}
