package org.tilldela.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A command's defaults give way to the user's own arguments: Spring joins a property given twice with a comma, so
 * {@code --logging.level.root=INFO} after the default WARN made "WARN,INFO" and the command failed to start.
 */
class CommandDefaultsTest {

    @Test
    void theUsersOwnValueReplacesTheDefaultInsteadOfJoiningIt() {
        List<String> args = CommandContext.withDefaults(CommandContext.COMMAND_DEFAULTS,
                List.of("--logging.level.root=INFO", "--spring.main.lazy-initialization=false", "--tilldela.data-dir=/srv/t"));
        assertThat(args).contains("--logging.level.root=INFO", "--spring.main.lazy-initialization=false", "--tilldela.data-dir=/srv/t")
                .doesNotContain("--logging.level.root=WARN", "--spring.main.lazy-initialization=true")
                // the ones the user did not give stay, and a longer name sharing a prefix is no override
                .contains("--logging.level.org.tilldela=WARN", "--tilldela.bootstrap.enabled=false");
        assertThat(args.stream().filter(a -> a.startsWith("--logging.level.root="))).hasSize(1);
    }
}
