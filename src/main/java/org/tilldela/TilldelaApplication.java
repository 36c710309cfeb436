package org.tilldela;

import java.util.OptionalInt;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableAsync;
import org.tilldela.platform.StartCache;

/**
 * One jar, two faces: with no arguments the Tilldela server; with a subcommand (import, generate,
 * directory, benchmark) a command-line tool working against the same database.
 */
@SpringBootApplication
@EnableAsync
public class TilldelaApplication {

    public static void main(String[] args) {
        if (CommandLineEntry.isCommand(args)) {
            // from the JDK's AOT cache in a JVM of its own where the build made one for this jar (README "Command line")
            OptionalInt fromCache = StartCache.run(args);
            System.exit(fromCache.isPresent() ? fromCache.getAsInt() : CommandLineEntry.run(args));
        }
        SpringApplication.run(TilldelaApplication.class, args);
    }
}
