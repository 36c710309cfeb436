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
        if (CommandLineEntry.isCommand(args)) {
            System.exit(CommandLineEntry.run(args));
        }
        SpringApplication.run(TilldelaApplication.class, args);
    }
}
