package org.tilldela.platform;

/**
 * One choice a search-as-you-type picker offers (templates/pickers.html): the value its radio button submits (an id: ids
 * travel as the chosen values only, never typed), the name shown, a detail to tell like names apart, and whether it is the
 * one already chosen.
 */
public record PickerChoice(String value, String label, String detail, boolean checked) {

    /** At most this many choices are listed: narrowing the words is the answer beyond that. */
    public static final int LIMIT = 10;

    /** Whether words typed are enough to search by (two letters or more). */
    public static boolean enough(String words) {
        return words != null && words.strip().length() >= 2;
    }
}
