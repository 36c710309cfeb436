package org.tilldela;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The launcher tells a command from the server by its first argument, from a list of its own (it runs before picocli
 * is loaded): a command missing from that list would start the server instead, a name the dispatcher does not know
 * would end in picocli's "unmatched argument".
 */
class LauncherTest {

    @Test
    void theLauncherSendsEveryCommandOfTheDispatcherToItAndNothingElse() {
        CommandLine dispatcher = new CommandLine(new CommandLineEntry());
        Set<String> firstArguments = new TreeSet<>(dispatcher.getSubcommands().keySet());
        dispatcher.getCommandSpec().options().forEach(option -> firstArguments.addAll(Arrays.asList(option.names())));

        assertThat(new TreeSet<>(Launcher.COMMANDS)).isEqualTo(firstArguments);
        assertThat(firstArguments).allMatch(first -> Launcher.isCommand(new String[] {first, "--tilldela.data-dir=x"}));
    }

    @Test
    void theServerIsStartedWithoutArgumentsOrWithSpringOptionsOnly() {
        assertThat(Launcher.isCommand(new String[0])).isFalse();
        assertThat(Launcher.isCommand(new String[] {"--server.port=8081", "import"})).isFalse();
        assertThat(Launcher.isCommand(new String[] {"--tilldela.data-dir=/srv/tilldela"})).isFalse();
    }
}
