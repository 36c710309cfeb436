package org.tilldela;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableAsync;

/**
 * One jar, two faces: with no arguments the Tilldela server; with a subcommand (import, generate,
 * directory, benchmark) a command-line tool working against the same database.
 */
@SpringBootApplication
@EnableAsync
public class TilldelaApplication {

    public static void main(String[] args) {
        if (Launcher.isCommand(args)) {
            // the jar's Launcher has already run it from the start cache where there is one (README "Command line")
            System.exit(CommandLineEntry.run(args));
        }
        SpringApplication.run(TilldelaApplication.class, args);
    }
}
