package org.tilldela.governance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The password rules, on the shipped list of common passwords. */
class PasswordPolicyTest {

    private final PasswordPolicy policy = new PasswordPolicy();

    @Test
    void twelveCharactersAtLeast() {
        assertThat(policy.problemWith("kort lösen", "greta")).contains(PasswordProblem.TOO_SHORT);
        assertThat(policy.problemWith(null, "greta")).contains(PasswordProblem.TOO_SHORT);
    }

    @Test
    void commonPasswordsAreRefusedAlsoWithDigitsOrSymbolsAddedAndInOtherCase() {
        // long entries of the list itself
        assertThat(policy.problemWith("1qaz2wsx3edc", "greta")).contains(PasswordProblem.TOO_COMMON);
        assertThat(policy.problemWith("LeaveMeAlone", "greta")).contains(PasswordProblem.TOO_COMMON);
        // a common word with a year or symbols stuck on, the way people meet a length rule
        assertThat(policy.problemWith("Password2024!", "greta")).contains(PasswordProblem.TOO_COMMON);
        assertThat(policy.problemWith("sunshine12345", "greta")).contains(PasswordProblem.TOO_COMMON);
        assertThat(policy.problemWith("Sommar2025!!", "greta")).contains(PasswordProblem.TOO_COMMON);
        assertThat(policy.problemWith("Adgangskode123", "greta")).contains(PasswordProblem.TOO_COMMON);
        // a common password twice
        assertThat(policy.problemWith("iloveyouiloveyou", "greta")).contains(PasswordProblem.TOO_COMMON);
    }

    @Test
    void repeatsAndRunsAreRefused() {
        assertThat(policy.problemWith("aaaaaaaaaaaa", "greta")).contains(PasswordProblem.TOO_PREDICTABLE);
        assertThat(policy.problemWith("abababababab", "greta")).contains(PasswordProblem.TOO_PREDICTABLE);
        assertThat(policy.problemWith("aaaabbbbcccc", "greta")).contains(PasswordProblem.TOO_PREDICTABLE);
        assertThat(policy.problemWith("abcdefghijklmn", "greta")).contains(PasswordProblem.TOO_PREDICTABLE);
        assertThat(policy.problemWith("987654321098", "greta")).contains(PasswordProblem.TOO_PREDICTABLE);
        assertThat(policy.problemWith("qwertyuiopåqw", "greta")).contains(PasswordProblem.TOO_PREDICTABLE);
    }

    @Test
    void theAccountNameIsRefusedAsOrInsideThePassword() {
        assertThat(policy.problemWith("rektor.lindqvist", "rektor.lindqvist")).contains(PasswordProblem.CONTAINS_ACCOUNT_NAME);
        assertThat(policy.problemWith("Rektor.Lindqvist-97", "rektor.lindqvist")).contains(PasswordProblem.CONTAINS_ACCOUNT_NAME);
        assertThat(policy.problemWith("my admin of the north", "admin")).contains(PasswordProblem.CONTAINS_ACCOUNT_NAME);
        // a two-letter name is too common a string to search for
        assertThat(policy.problemWith("blåbär i regnet", "re")).isEmpty();
    }

    @Test
    void aLongUncommonPassphraseIsAccepted() {
        assertThat(policy.problemWith("blåbär i regnet på tisdag", "greta")).isEmpty();
        assertThat(policy.problemWith("Kx7-vinbär-Trollhätta", "greta")).isEmpty();
        assertThat(policy.problemWith("hverdags-kaffe-og-lakrids", null)).isEqualTo(Optional.empty());
    }
}
