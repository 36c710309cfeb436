package org.tilldela.directory;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Collection;
import java.util.Objects;

/**
 * Whose kind of civic number a person has — a Swedish personnummer (or samordningsnummer) or a Danish CPR number — so a
 * page can call it by its name: the Danish UI says CPR-nummer for Danes and personnummer for Swedes, never one for both.
 * Decided from the number's shape alone (the directory keeps no citizenship): twelve digits or a '+' are Swedish; ten
 * digits are Swedish when they read as a date YYMMDD (or the samordningsnummer's day + 60) with a valid check digit and
 * not as a Danish DDMMYY, Danish the other way round. A number that reads both ways is left undecided (null): the page
 * then uses a word for either.
 */
public final class CivicNumbers {

    public static final String SWEDISH = "SE", DANISH = "DK";

    private CivicNumbers() {
    }

    /** SE, DK or null (no number, or one that could be either). */
    public static String kind(String civicNumber) {
        if (civicNumber == null) {
            return null;
        }
        String s = civicNumber.strip();
        String digits = s.replaceAll("[^0-9]", "");
        if (digits.length() == 12) {
            return SWEDISH;
        }
        if (digits.length() != 10) {
            return null;
        }
        if (s.contains("+")) {
            return SWEDISH; // a Swede of a hundred or more: only a personnummer writes it so
        }
        int a = Integer.parseInt(digits.substring(0, 2)), b = Integer.parseInt(digits.substring(2, 4)), c = Integer.parseInt(digits.substring(4, 6));
        boolean swedish = (date(a, b, c) || date(a, b, c - 60)) && luhn(digits);
        boolean danish = date(c, b, a);
        if (swedish == danish) {
            return null;
        }
        return swedish ? SWEDISH : DANISH;
    }

    /** The kind every one of {@code kinds} shares, or null when they differ or one is undecided (a column's heading). */
    public static String shared(Collection<String> kinds) {
        String first = kinds.isEmpty() ? null : kinds.iterator().next();
        return kinds.stream().allMatch(k -> Objects.equals(k, first)) ? first : null;
    }

    private static boolean date(int yy, int mm, int dd) {
        try {
            LocalDate.of(2000 + yy, mm, dd);
            return true;
        } catch (DateTimeException e) {
            return false;
        }
    }

    /** The personnummer's check digit: the Luhn sum over its last ten digits. */
    private static boolean luhn(String tenDigits) {
        int sum = 0;
        for (int i = 0; i < 10; i++) {
            int d = (tenDigits.charAt(i) - '0') * (i % 2 == 0 ? 2 : 1);
            sum += d > 9 ? d - 9 : d;
        }
        return sum % 10 == 0;
    }
}
