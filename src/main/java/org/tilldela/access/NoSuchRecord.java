package org.tilldela.access;

/** A request names a person or supplier that does not exist; nothing was changed. The API answers 404. */
public class NoSuchRecord extends RuntimeException {

    public NoSuchRecord(String message) {
        super(message);
    }
}
