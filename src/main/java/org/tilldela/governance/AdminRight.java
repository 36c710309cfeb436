package org.tilldela.governance;

/** What an administrator may do. Rights are granted one by one; none is implied by another. */
public enum AdminRight {
    /** Import core data and browse the directory (protected persons masked). */
    DIRECTORY_ADMIN,
    /** See the names of persons with protected identity (sekretessmarkering, skyddad folkbokföring). */
    VIEW_PROTECTED_IDENTITIES;

    public String authority() {
        return "RIGHT_" + name();
    }
}
