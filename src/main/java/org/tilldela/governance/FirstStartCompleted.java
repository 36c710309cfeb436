package org.tilldela.governance;

/** The empty database has been given its first administrator: time for first-start work such as demo data. */
public record FirstStartCompleted() {
}
