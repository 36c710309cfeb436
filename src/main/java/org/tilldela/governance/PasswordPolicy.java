package org.tilldela.governance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * What makes an administrator password acceptable: at least 12 characters, not a common password
 * (nor one with digits or symbols stuck on either end: "Sommar2024!"), not predictable (one character or
 * a short piece repeated, a run of the alphabet, digits or a keyboard row), and not the account name or
 * anything containing it. Length beats complexity rules, so none of those is required (NIST SP 800-63B).
 *
 * <p>The list is {@code governance/common-passwords.txt}; its header says where it comes from.
 */
@Component
public class PasswordPolicy {

    public static final int MIN_LENGTH = 12;
    /** An account name this short is too common a string to refuse every password that contains it. */
    private static final int MIN_NAME_TO_SEARCH = 3;
    /** Runs people type; a password that is a piece of one of these (either way round) is predictable. */
    private static final String[] RUNS = {
            "abcdefghijklmnopqrstuvwxyzåäöæø", "01234567890123456789", "qwertyuiopå", "asdfghjklöä", "asdfghjklæø", "zxcvbnm",
            "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "qazwsxedcrfvtgbyhnujmikolp"};

    private final Set<String> common;

    PasswordPolicy() {
        this(load("/governance/common-passwords.txt"));
    }

    PasswordPolicy(Set<String> common) {
        this.common = Set.copyOf(common);
    }

    /** The first rule the password breaks, if any. {@code accountName} may be null (no name to compare). */
    public Optional<PasswordProblem> problemWith(String password, String accountName) {
        if (password == null || password.codePointCount(0, password.length()) < MIN_LENGTH) {
            return Optional.of(PasswordProblem.TOO_SHORT);
        }
        String lower = password.toLowerCase(Locale.ROOT);
        if (accountName != null && !accountName.isBlank()) {
            String name = accountName.strip().toLowerCase(Locale.ROOT);
            if (lower.equals(name) || (name.length() >= MIN_NAME_TO_SEARCH && lower.contains(name))) {
                return Optional.of(PasswordProblem.CONTAINS_ACCOUNT_NAME);
            }
        }
        if (common.contains(lower) || isCommon(stripEnds(lower)) || isCommon(repeatedUnit(lower))) {
            return Optional.of(PasswordProblem.TOO_COMMON);
        }
        if (repeatedUnit(lower).length() <= 4 || isRun(lower) || lower.codePoints().distinct().count() < 4) {
            return Optional.of(PasswordProblem.TOO_PREDICTABLE);
        }
        return Optional.empty();
    }

    /** Refuses a password that breaks a rule, naming the rule. */
    public void check(String password, String accountName) {
        problemWith(password, accountName).ifPresent(problem -> {
            throw new PasswordRefused(problem);
        });
    }

    private boolean isCommon(String candidate) {
        // very short remainders ("a" of "a12345678901") say nothing; the run and repeat rules see those
        return candidate.length() >= 4 && common.contains(candidate);
    }

    /** Without the digits, symbols and spaces at either end: "!!sommar2024" → "sommar". */
    private static String stripEnds(String lower) {
        int start = 0;
        int end = lower.length();
        while (start < end && !Character.isLetter(lower.charAt(start))) {
            start++;
        }
        while (end > start && !Character.isLetter(lower.charAt(end - 1))) {
            end--;
        }
        return lower.substring(start, end);
    }

    /** The shortest piece the whole password repeats: "abcabcabcabc" → "abc"; itself when it repeats nothing. */
    private static String repeatedUnit(String lower) {
        int n = lower.length();
        for (int size = 1; size <= n / 2; size++) {
            if (n % size == 0 && lower.substring(0, size).repeat(n / size).equals(lower)) {
                return lower.substring(0, size);
            }
        }
        return lower;
    }

    private static boolean isRun(String lower) {
        for (String run : RUNS) {
            String twice = run + run;
            if (twice.contains(lower) || new StringBuilder(twice).reverse().toString().contains(lower)) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> load(String resource) {
        try (InputStream in = PasswordPolicy.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            Set<String> words = new HashSet<>();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String word = line.strip();
                if (!word.isEmpty() && !word.startsWith("#")) {
                    words.add(word.toLowerCase(Locale.ROOT));
                }
            }
            return words;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A password the policy refuses; the message names the rule, never the password. */
    public static final class PasswordRefused extends IllegalArgumentException {
        private final PasswordProblem problem;

        PasswordRefused(PasswordProblem problem) {
            super("password refused: " + problem);
            this.problem = problem;
        }

        public PasswordProblem problem() {
            return problem;
        }
    }
}
