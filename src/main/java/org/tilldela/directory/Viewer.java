package org.tilldela.directory;

/** Who is looking at the directory, and whether they may see protected identities. */
public record Viewer(String username, boolean mayViewProtected) {
}
