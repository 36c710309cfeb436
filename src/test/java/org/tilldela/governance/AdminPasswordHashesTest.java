package org.tilldela.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.password.PasswordEncoder;

/** Administrator password hashes: bcrypt of the configured work factor, and every hash made before still matches. */
class AdminPasswordHashesTest {

    private static final String PASSWORD = "lingonris i augustiregn";

    @Test
    void theConfiguredWorkFactorIsInNewHashesAndHashesOfAnotherFactorOrAlgorithmStillMatch() {
        PasswordEncoder production = AdminAccounts.encoder(10);
        String hash = production.encode(PASSWORD);
        assertThat(hash).startsWith("{bcrypt}$2a$10$");
        assertThat(production.matches(PASSWORD, hash)).isTrue();
        assertThat(production.matches(PASSWORD + "!", hash)).isFalse();

        // a lower factor makes new hashes of its own, and still checks the production ones by the factor they carry
        PasswordEncoder lighter = AdminAccounts.encoder(4);
        assertThat(lighter.encode(PASSWORD)).startsWith("{bcrypt}$2a$04$");
        assertThat(lighter.matches(PASSWORD, hash)).isTrue();
        assertThat(production.matches(PASSWORD, lighter.encode(PASSWORD))).isTrue();

        // a hash of another algorithm Spring Security knows (an operator's configured hash, a later upgrade) matches too
        String pbkdf2 = org.springframework.security.crypto.password.Pbkdf2PasswordEncoder.defaultsForSpringSecurity_v5_8().encode(PASSWORD);
        assertThat(production.matches(PASSWORD, "{pbkdf2@SpringSecurity_v5_8}" + pbkdf2)).isTrue();
        assertThat(production.matches("something else entirely", "{pbkdf2@SpringSecurity_v5_8}" + pbkdf2)).isFalse();
    }

    @Test
    void aWorkFactorOutsideBcryptsRangeIsRefused() {
        assertThatThrownBy(() -> AdminAccounts.encoder(3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("between 4 and 31");
        assertThatThrownBy(() -> AdminAccounts.encoder(32)).isInstanceOf(IllegalArgumentException.class);
    }
}
