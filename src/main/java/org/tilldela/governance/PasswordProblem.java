package org.tilldela.governance;

/** Why {@link PasswordPolicy} refuses a password; the web pages say it in the reader's language ({@code password.problem.*}). */
public enum PasswordProblem {
    /** Fewer than {@link PasswordPolicy#MIN_LENGTH} characters. */
    TOO_SHORT,
    /** On the list of common passwords, or one of them with digits or symbols added at either end. */
    TOO_COMMON,
    /** One character repeated, a short piece repeated, or a run such as abcdef…, 123456…, qwerty…. */
    TOO_PREDICTABLE,
    /** The account name itself, or contains it. */
    CONTAINS_ACCOUNT_NAME,
    /** The new password is the current one. */
    SAME_AS_CURRENT
}
