package org.tilldela;

import java.util.List;
import org.tilldela.platform.CommandContext;

/**
 * What the build's {@code process-aot} (pom.xml) runs: the command context as every command starts it, which Spring's
 * processor stops once its definitions are known and writes out as code
 * ({@code CommandContextAheadOfTime__ApplicationContextInitializer}). A command uses it where it fits (platform's
 * AheadOfTime). Not a command itself.
 */
final class CommandContextAheadOfTime {

    private CommandContextAheadOfTime() {
    }

    public static void main(String[] args) {
        if (!Boolean.getBoolean("spring.aot.processing")) {
            throw new IllegalStateException("only for Spring's AOT processor (./mvnw package); a command runs with java -jar tilldela.jar <command>");
        }
        CommandContext.configure(TilldelaApplication.class, List.of(args));
        // the processor ends the start once the context's definitions are loaded
        CommandContext.bean(CommandContext.class);
    }
}
